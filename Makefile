# pg_squash: the front door.
#   make          build the extension (PGXS, extension/Makefile) and squashd/squashctl (CMake)
#   make unit-tests  also the GoogleTest suites (make check builds them)
#   make install  install both (sudo when not root)
#   make check    install missing packages, build, install (as root: the Debian packages too),
#                 run every test on a throwaway cluster
#   make installcheck  the pgTAP suite against an already running server with pg_squash
#                 installed (libpq's PGHOST, PGPORT, PGUSER, PGDATABASE; a superuser)
#   make demo     install missing packages, build, install, run the squash flow end to end
#   make bench    every benchmark, as ratios against pg_dump & co. in the same run
#   make deb      install missing packages, build the Debian packages into $(BUILD_DIR)/deb
BUILD_DIR ?= build
CMAKE_BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: all extension daemon unit-tests install deps check installcheck demo bench deb clean format

all: extension daemon

deps:
	@scripts/install-deps.sh

extension:
	$(MAKE) -j$(JOBS) -C extension

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE)

# The programs only: the unit tests (a third of the compile time) are built by make check.
daemon: $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j$(JOBS) --target programs

unit-tests: $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j$(JOBS)

install: all
	$(SUDO) $(MAKE) -C extension install
	$(SUDO) cmake --install $(BUILD_DIR)

# As root the packages are built first (dpkg-buildpackage takes minutes) and
# tests/e2e/deb_install.sh installs them; otherwise that test skips.
check: deps
	$(MAKE) all unit-tests
	$(MAKE) install
	if [ "$$(id -u)" -eq 0 ]; then BUILD_DIR=$(abspath $(BUILD_DIR)) JOBS=$(JOBS) \
	  DEB_BUILD_OPTIONS=noautodbgsym scripts/deb.sh; fi
	BUILD_DIR=$(abspath $(BUILD_DIR)) DEB_DIR=$(abspath $(BUILD_DIR))/deb scripts/run-tests.sh

# Every pgTAP file runs in one transaction and rolls back: the database is left as it was.
installcheck:
	pg_prove --failures tests/pgtap/*.sql

demo: deps
	$(MAKE) all
	$(MAKE) install
	BUILD_DIR=$(abspath $(BUILD_DIR)) scripts/demo.sh

bench: deps
	$(MAKE) all
	$(MAKE) install
	BUILD_DIR=$(abspath $(BUILD_DIR)) scripts/bench.sh

# postgresql-15-pg-squash and squashd, built by dpkg-buildpackage on a copy of the tree.
deb: deps
	BUILD_DIR=$(abspath $(BUILD_DIR)) JOBS=$(JOBS) scripts/deb.sh

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.h')

clean:
	$(MAKE) -C extension clean
	rm -rf $(BUILD_DIR)
