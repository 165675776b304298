// Comments (pg_description): read once, attached as the attribute "comment" of the object
// they describe rather than as objects of their own.
#include <algorithm>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
}

namespace squash::catalog {

void load_comments(Context& ctx) {
  // Built-in objects (OIDs below FirstNormalObjectId) carry the server's own comments;
  // the public schema (created by initdb) is the one built-in object a user may comment.
  Rows r = ctx.query(
      "SELECT classoid, objoid, objsubid, description FROM pg_catalog.pg_description"
      " WHERE objoid >= 16384 OR classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass");
  for (size_t i = 0; i < r.size(); i++) {
    const Oid classoid = r.oid(i, 0), objoid = r.oid(i, 1);
    const int64_t subid = r.num(i, 2);
    if (subid == 0) {
      ctx.comments[key2(classoid, objoid)] = r.str(i, 3);
      if (std::find(ctx.comment_classes.begin(), ctx.comment_classes.end(), classoid) ==
          ctx.comment_classes.end())
        ctx.comment_classes.push_back(classoid);
    } else if (classoid == RelationRelationId)
      ctx.column_comments[key2(objoid, static_cast<uint32_t>(subid))] = r.str(i, 3);
  }
}

}  // namespace squash::catalog
