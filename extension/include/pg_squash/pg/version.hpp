// The library version; the install script must carry the same default_version.
#pragma once

#define PG_SQUASH_VERSION "0.2.0"
