#include "runs/counters.hpp"

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "util/files.hpp"

namespace squash::runs {

namespace {

constexpr int kFormat = 1;

using nlohmann::json;

// The file's content, or why it cannot be used.
bool parse(const std::string& text, Counters::Values& values, std::set<std::string>& counted,
           std::string& why) {
  try {
    auto doc = json::parse(text);
    if (doc.at("format").get<int>() != kFormat) {
      why = fmt::format("unknown format {}", doc.at("format").dump());
      return false;
    }
    for (const auto& c : doc.at("counters")) {
      Counters::Labels labels;
      for (const auto& l : c.at("labels"))
        labels.emplace_back(l.at(0).get<std::string>(), l.at(1).get<std::string>());
      values[{c.at("name").get<std::string>(), std::move(labels)}] =
          c.at("value").get<std::uint64_t>();
    }
    for (const auto& id : doc.at("counted_runs")) counted.insert(id.get<std::string>());
    return true;
  } catch (const std::exception& e) {
    why = e.what();
    return false;
  }
}

}  // namespace

Counters::Counters(std::string path) : path_(std::move(path)) {}

void Counters::load(const std::vector<api::Run>& journal) {
  std::lock_guard lk(mutex_);
  values_.clear();
  counted_.clear();
  std::error_code ec;
  if (std::filesystem::exists(path_, ec)) {
    auto text = util::read_file(path_);
    std::string why = "cannot read it";
    if (!text || !parse(*text, values_, counted_, why)) {
      values_.clear();
      counted_.clear();
      auto aside = path_ + ".corrupt";
      bool kept = std::rename(path_.c_str(), aside.c_str()) == 0;
      spdlog::error(
          "metrics: the counters file {} is corrupt ({}); {}; the *_total counters start again "
          "from the {} run(s) in the journal and may be lower than before (a counter reset)",
          path_, why, kept ? "kept as " + aside : "it could not be moved aside", journal.size());
    }
  }
  std::size_t recounted = 0;
  for (const auto& r : journal)
    if (r.finished() && counted_.insert(r.id).second) {
      add(values_, r);
      ++recounted;
    }
  if (recounted > 0) spdlog::debug("metrics: counted {} run(s) from the journal", recounted);
  save();
}

void Counters::count(const api::Run& run) {
  if (!run.finished()) return;  // nothing to count, and its id must stay countable
  std::lock_guard lk(mutex_);
  if (!counted_.insert(run.id).second) return;
  add(values_, run);
  save();
}

void Counters::forget_except(const std::vector<api::Run>& kept) {
  std::set<std::string> ids;
  for (const auto& r : kept) ids.insert(r.id);
  std::lock_guard lk(mutex_);
  std::erase_if(counted_, [&](const std::string& id) { return !ids.count(id); });
  save();
}

Counters::Values Counters::values() const {
  std::lock_guard lk(mutex_);
  return values_;
}

void Counters::add(Values& values, const api::Run& run) {
  if (!run.finished()) return;
  ++values[{"squashd_runs_total",
            {{"target", run.target}, {"job", run.job}, {"outcome", run.state}}}];
  for (const auto& p : run.probes)
    if (!p.ok)
      ++values[{"squashd_probe_failures_total", {{"target", run.target}, {"probe", p.name}}}];
}

void Counters::save() {
  json counters = json::array();
  for (const auto& [key, value] : values_) {
    json labels = json::array();
    for (const auto& [name, v] : key.second) labels.push_back({name, v});
    counters.push_back({{"name", key.first}, {"labels", labels}, {"value", value}});
  }
  json doc = {{"format", kFormat}, {"counters", counters}, {"counted_runs", counted_}};
  try {
    util::write_file_atomic(path_, doc.dump() + "\n");
  } catch (const std::exception& e) {
    spdlog::error("metrics: {}; the counters are recounted from the journal at the next start",
                  e.what());
  }
}

}  // namespace squash::runs
