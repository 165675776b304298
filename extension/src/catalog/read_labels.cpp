// Security labels (pg_seclabel): read once, attached like comments, as one attribute
// "security label <provider>" per provider on the object they label. Labels on shared
// objects (roles, databases, tablespaces: pg_shseclabel) are outside the database's schema.
#include <algorithm>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_class.h"
}

namespace squash::catalog {

void load_security_labels(Context& ctx) {
  // Built-in objects carry no label of the user's, except the public schema.
  Rows r = ctx.query(
      "SELECT classoid, objoid, objsubid, provider, label FROM pg_catalog.pg_seclabel"
      " WHERE objoid >= 16384 OR classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass");
  for (size_t i = 0; i < r.size(); i++) {
    const Oid classoid = r.oid(i, 0), objoid = r.oid(i, 1);
    const int64_t subid = r.num(i, 2);
    auto label = std::make_pair(r.str(i, 3), r.str(i, 4));
    if (subid == 0) {
      ctx.labels[key2(classoid, objoid)].push_back(std::move(label));
      if (std::find(ctx.label_classes.begin(), ctx.label_classes.end(), classoid) ==
          ctx.label_classes.end())
        ctx.label_classes.push_back(classoid);
    } else if (classoid == RelationRelationId) {
      ctx.column_labels[key2(objoid, static_cast<uint32_t>(subid))].push_back(std::move(label));
    }
  }
}

void Context::attach_labels(ObjectRef obj, Oid classoid, Oid objoid) {
  if (std::find(label_classes.begin(), label_classes.end(), classoid) == label_classes.end())
    return;
  if (const auto* found = labels.find(key2(classoid, objoid)))
    for (const auto& [provider, label] : *found) obj.set("security label " + provider, label);
}

void Context::attach_column_labels(ObjectRef obj, Oid relid, int attnum) {
  if (column_labels.empty()) return;
  if (const auto* found = column_labels.find(key2(relid, static_cast<uint32_t>(attnum))))
    for (const auto& [provider, label] : *found) obj.set("security label " + provider, label);
}

}  // namespace squash::catalog
