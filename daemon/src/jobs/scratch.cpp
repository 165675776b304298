#include "jobs/scratch.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "util/files.hpp"

namespace squash::jobs {

namespace {

constexpr std::size_t kMaxName = 63;  // NAMEDATALEN - 1
constexpr std::size_t kHashDigits = 8;

void drop_database(db::Connection& maint, const std::string& name) {
  maint.query(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", maint.identifier(name)));
}

}  // namespace

std::string scratch_database_name(const std::string& prefix, const std::string& run_id) {
  std::string name = prefix + run_id;
  if (name.size() <= kMaxName) return name;
  auto keep = kMaxName - prefix.size() - 1 - kHashDigits;
  return prefix + run_id.substr(0, keep) + "_" + util::sha256_hex(run_id).substr(0, kHashDigits);
}

ScratchDatabase::ScratchDatabase(const RunContext& ctx, const std::string& prefix,
                                 const std::string& kind)
    : name_(scratch_database_name(prefix, ctx.run().id)),
      ledger_(fmt::format("{}/scratch/{}.{}", ctx.settings().state_dir, ctx.target().name, kind)) {}

std::optional<std::string> ScratchDatabase::drop_leftover(db::Connection& maint) {
  auto recorded = util::read_file(ledger_);
  if (!recorded || recorded->empty() || *recorded == name_) return std::nullopt;
  drop_database(maint, *recorded);
  ::unlink(ledger_.c_str());
  return recorded;
}

void ScratchDatabase::create(db::Connection& maint, const std::string& options,
                             process::Stop* stop) {
  util::ensure_dir(ledger_.substr(0, ledger_.rfind('/')));
  util::write_file_atomic(ledger_, name_);
  maint.query(fmt::format("CREATE DATABASE {} {}", maint.identifier(name_), options), {}, stop);
}

void ScratchDatabase::drop(db::Connection& maint) {
  drop_database(maint, name_);
  ::unlink(ledger_.c_str());
}

}  // namespace squash::jobs
