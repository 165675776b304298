// Objects of kinds the snapshot does not model, should a reader find one (since base and
// shell types are modelled, none does on PostgreSQL 14 to 17). Each one becomes an object
// of kind "unmodelled" with the catalog it came from, so adding or dropping one changes
// the fingerprint, never silently skipped.
// A kind that gets modelled moves to a reader of its own (as read_aggregates.cpp) and
// stops adding itself to ctx.unmodelled.
#include <map>

#include "reader.hpp"

namespace squash::catalog {

void read_unmodelled(Context& ctx) {
  // Identities are unique per catalog; where two catalogs share one, say which is which.
  std::map<std::string, int> seen;
  for (const Unmodelled& u : ctx.unmodelled) seen[u.identity]++;
  for (const Unmodelled& u : ctx.unmodelled) {
    std::string identity = u.identity;
    if (seen[u.identity] > 1) identity += " [" + u.catalog + "]";
    ObjectRef o = ctx.add("unmodelled", std::move(identity));
    o.set("catalog", u.catalog);
    o.set("type", u.what);
    if (!u.acl.empty()) o.set("acl", u.acl);
  }
}

}  // namespace squash::catalog
