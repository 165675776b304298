// Subscriptions (pg_subscription) of the current database; only whole-database snapshots
// hold them. Identity: the name. The connection string is kept without its secrets
// (model/conninfo.hpp): the other keys with their values in "conninfo", the secret keys'
// names in "conninfo_secrets". Reading it needs the column subconninfo, which PostgreSQL
// shows only to superusers: a role that cannot read it gets an error when the database has
// a subscription, never a smaller snapshot.
#include "reader.hpp"

#include "pg_squash/model/conninfo.hpp"

extern "C" {
#include "catalog/pg_subscription.h"
}

namespace squash::catalog {

void read_subscriptions(Context& ctx) {
  if (!ctx.whole_database) return;
  // Only columns PUBLIC may read, and those the running server has.
  Rows r = ctx.query(
      "SELECT oid, subname, subowner, subenabled, subbinary, substream::pg_catalog.text,"
      "  subslotname, subsynccommit, subpublications::pg_catalog.text,"
#if PG_VERSION_NUM >= 150000
      "  subtwophasestate, subdisableonerr,"
#else
      "  NULL::\"char\", NULL::boolean,"
#endif
#if PG_VERSION_NUM >= 160000
      "  suborigin, subpasswordrequired, subrunasowner,"
#else
      "  NULL::pg_catalog.text, NULL::boolean, NULL::boolean,"
#endif
#if PG_VERSION_NUM >= 170000
      "  subfailover"
#else
      "  NULL::boolean"
#endif
      " FROM pg_catalog.pg_subscription WHERE subdbid = (SELECT oid FROM pg_catalog.pg_database"
      "   WHERE datname = pg_catalog.current_database())");
  if (r.empty()) return;
  Rows can = ctx.query(
      "SELECT pg_catalog.has_column_privilege('pg_catalog.pg_subscription', 'subconninfo',"
      " 'SELECT')");
  if (!can.flag(0, 0)) {
    Rows who = ctx.query("SELECT pg_catalog.current_user()::text");
    throw Error(
        "pg_squash: role " + quote(who.str(0, 0)) + " cannot read every catalog a snapshot needs",
        ERRCODE_INSUFFICIENT_PRIVILEGE,
        "No SELECT privilege on pg_subscription.subconninfo (the database has "
        "subscriptions). A snapshot from this role would be incomplete, so none is "
        "taken.",
        "Take the snapshot as a superuser (the connection string's secrets never enter "
        "a snapshot).");
  }
  std::unordered_map<Oid, std::string> conninfo;
  {
    Rows c = ctx.query(
        "SELECT oid, subconninfo FROM pg_catalog.pg_subscription WHERE subdbid = (SELECT oid"
        " FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())");
    for (size_t i = 0; i < c.size(); i++) conninfo[c.oid(i, 0)] = c.str(i, 1);
  }
  for (size_t i = 0; i < r.size(); i++) {
    const Oid oid = r.oid(i, 0);
    if (ctx.extension_member(SubscriptionRelationId, oid)) continue;
    ObjectRef o = ctx.add("subscription", quote(r.view(i, 1)));
    const model::Conninfo info = model::parse_conninfo(conninfo[oid]);
    if (info.ok) {
      o.set("conninfo", model::conninfo_text(info.params));
      if (!info.secret_keys.empty()) o.set("conninfo_secrets", join(info.secret_keys, ", "));
    } else {
      // Never the text itself: it may hold a secret.
      o.set("conninfo", "(not a valid connection string: " + info.error + ")");
    }
    std::vector<std::string> pubs;
    for (const std::string& p : parse_array(r.view(i, 8))) pubs.push_back(quote(p));
    std::sort(pubs.begin(), pubs.end());
    o.set("publications", join(pubs, ", "));
    o.set("enabled", bool_text(r.flag(i, 3)));
    o.set("binary", bool_text(r.flag(i, 4)));
    const char stream = r.ch(i, 5);
    o.set("streaming", stream == 't' ? "on" : stream == 'p' ? "parallel" : "off");
    o.set("slot_name", r.null(i, 6) ? "NONE" : r.str(i, 6));
    o.set("synchronous_commit", r.str(i, 7));
    if (!r.null(i, 9)) o.set("two_phase", bool_text(r.ch(i, 9) != 'd'));
    if (!r.null(i, 10)) o.set("disable_on_error", bool_text(r.flag(i, 10)));
    if (!r.null(i, 11)) o.set("origin", r.str(i, 11));
    if (!r.null(i, 12)) o.set("password_required", bool_text(r.flag(i, 12)));
    if (!r.null(i, 13)) o.set("run_as_owner", bool_text(r.flag(i, 13)));
    if (!r.null(i, 14)) o.set("failover", bool_text(r.flag(i, 14)));
    ctx.attach_common(o, SubscriptionRelationId, oid, r.oid(i, 2), '\0', Value());
  }
}

}  // namespace squash::catalog
