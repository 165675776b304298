// See stored_diff.hpp.
#include "pg_squash/model/stored_diff.hpp"

#include <algorithm>
#include <memory>
#include <numeric>

#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/snapshot_codec.hpp"
#include "pg_squash/model/stored_form_reader.hpp"

namespace squash::model {

namespace {

struct OutOfOrder {};

// One document being walked: its reader, its fingerprint so far, and the order checks.
class Side {
 public:
  Side(std::string_view bytes, StoredFormError::Side side)
      : side_(side), in_(open(bytes, side)), limit_(decoded_limit(bytes.size())) {
    // Version 1 carries no fingerprint: hash the objects on the way.
    if (in_.fingerprint().empty())
      fingerprint_ = std::make_unique<FingerprintWriter>(in_.object_count());
    for (std::string_view k : in_.kinds()) kinds_.push_back(FingerprintWriter::encode_name(k));
    for (std::string_view k : in_.keys()) keys_.push_back(FingerprintWriter::encode_name(k));
    // Each key's place in bytewise name order: attributes must come in it.
    std::vector<std::uint32_t> order(in_.keys().size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return in_.keys()[a] < in_.keys()[b]; });
    key_rank_.resize(order.size());
    for (std::uint32_t r = 0; r < order.size(); r++) key_rank_[order[r]] = r;
    advance();
  }

  bool done() const { return done_; }
  std::string_view kind() const { return in_.kinds()[in_.kind()]; }
  std::string_view identity() const { return in_.identity(); }
  const std::vector<StoredFormReader::Attr>& attrs() const { return in_.attrs(); }
  const StoredFormReader& reader() const { return in_; }

  void advance() {
    try {
      done_ = !in_.next();
    } catch (const FormatError& e) {
      throw StoredFormError(side_, e.what());
    }
    if (done_) return;
    // Normalized order: (kind, identity) strictly increasing, keys strictly increasing.
    if (started_) {
      int c = in_.kind() == previous_kind_ ? 0 : in_.kinds()[previous_kind_].compare(kind());
      if (c > 0 || (c == 0 && previous_identity_.compare(identity()) >= 0)) throw OutOfOrder{};
    }
    started_ = true;
    previous_kind_ = in_.kind();
    previous_identity_.assign(identity().data(), identity().size());
    const auto& attrs = in_.attrs();
    for (std::size_t a = 1; a < attrs.size(); a++)
      if (key_rank_[attrs[a - 1].key] >= key_rank_[attrs[a].key]) throw OutOfOrder{};
    if (!fingerprint_) return;
    fingerprint_->object(kinds_[in_.kind()], identity(), attrs.size());
    for (const StoredFormReader::Attr& a : attrs) fingerprint_->attribute(keys_[a.key], a.value);
  }

  // The current object, into a Snapshot (within decode()'s limit for this document).
  void copy_into(Snapshot& snapshot) {
    Object& o = snapshot.objects.emplace_back();
    o.kind = std::string(kind());
    o.identity = std::string(identity());
    copied_ += o.identity.size() + kDecodedObjectOverhead;
    for (const StoredFormReader::Attr& a : attrs()) {
      copied_ += a.value.size() + kDecodedAttributeOverhead;
      o.set(std::string(in_.keys()[a.key]), std::string(a.value));
    }
    if (copied_ > limit_)
      throw StoredFormError(side_, "stored snapshot: it decodes to more than " +
                                       std::to_string(limit_ >> 20) + " MiB (from " +
                                       std::to_string(in_.size()) + " bytes stored)");
  }

  // Once the walk is done (the checksum vouches for a version 2 document's own).
  std::string fingerprint() {
    return fingerprint_ ? fingerprint_->hex() : std::string(in_.fingerprint());
  }

 private:
  static StoredFormReader open(std::string_view bytes, StoredFormError::Side side) {
    try {
      return StoredFormReader(bytes);
    } catch (const FormatError& e) {
      throw StoredFormError(side, e.what());
    }
  }

  StoredFormError::Side side_;
  StoredFormReader in_;
  std::unique_ptr<FingerprintWriter> fingerprint_;
  std::size_t limit_, copied_ = 0;
  std::vector<std::string> kinds_, keys_;  // encoded for the fingerprint
  std::vector<std::uint32_t> key_rank_;
  bool done_ = false, started_ = false;
  std::uint32_t previous_kind_ = 0;
  std::string previous_identity_;
};

}  // namespace

std::optional<StoredDiff> diff_stored(std::string_view source, std::string_view target) {
  try {
    Side a(source, StoredFormError::kSource);
    Side b(target, StoredFormError::kTarget);
    // target key index -> source key index (keys interned separately on each side)
    const auto& a_keys = a.reader().keys();
    const auto& b_keys = b.reader().keys();
    std::vector<std::uint32_t> key_map(b_keys.size(), UINT32_MAX);
    for (std::size_t t = 0; t < b_keys.size(); t++) {
      auto it = std::find(a_keys.begin(), a_keys.end(), b_keys[t]);
      if (it != a_keys.end()) key_map[t] = static_cast<std::uint32_t>(it - a_keys.begin());
    }
    auto same_attrs = [&] {
      const auto& x = a.attrs();
      const auto& y = b.attrs();
      if (x.size() != y.size()) return false;
      for (std::size_t k = 0; k < x.size(); k++)
        if (x[k].key != key_map[y[k].key] || x[k].value != y[k].value) return false;
      return true;
    };
    Snapshot from, to;
    while (!a.done() || !b.done()) {
      int c = 0;
      if (a.done()) {
        c = 1;
      } else if (b.done()) {
        c = -1;
      } else {
        c = a.kind().compare(b.kind());
        if (c == 0) c = a.identity().compare(b.identity());
      }
      if (c < 0) {
        a.copy_into(from);
        a.advance();
      } else if (c > 0) {
        b.copy_into(to);
        b.advance();
      } else {
        if (!same_attrs()) {
          a.copy_into(from);
          b.copy_into(to);
        }
        a.advance();
        b.advance();
      }
    }
    StoredDiff out;
    out.rows = diff(from, to);
    out.source_fingerprint = a.fingerprint();
    out.target_fingerprint = b.fingerprint();
    return out;
  } catch (const OutOfOrder&) {
    return std::nullopt;
  }
}

}  // namespace squash::model
