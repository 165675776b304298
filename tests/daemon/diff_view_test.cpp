#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "client/diff_view.hpp"

namespace squash::client {
namespace {

using nlohmann::json;

TEST(DiffView, EscapesQueryValues) {
  EXPECT_EQ(query_escape("squashed-v2_1.0~x"), "squashed-v2_1.0~x");
  EXPECT_EQ(query_escape("a b&c=d'e"), "a%20b%26c%3Dd%27e");
  EXPECT_EQ(query_escape("é"), "%C3%A9");
  EXPECT_EQ(query_escape(""), "");
}

TEST(DiffView, ListsChangesWithOldAndNew) {
  auto answer = json::parse(R"({
    "target": "prod", "against": "squashed", "differences": 3,
    "diff": {"changes": [
      {"kind": "column", "identity": "public.users.email", "change": "changed",
       "attributes": [{"attribute": "default", "old": "'x'::text", "new": null},
                      {"attribute": "not_null", "old": true, "new": false}]},
      {"kind": "index", "identity": "public.users_email_key", "change": "renamed",
       "from": "public.users_email_idx", "attributes": []},
      {"kind": "table", "identity": "public.hotfix", "change": "added",
       "attributes": [{"attribute": "owner", "old": null, "new": "app"}]}
    ]}})");
  EXPECT_EQ(format_diff(answer),
            "target prod against snapshot squashed: 3 differences\n"
            "  changed  column public.users.email\n"
            "      default: 'x'::text → (none)\n"
            "      not_null: true → false\n"
            "  renamed  index public.users_email_key (was public.users_email_idx)\n"
            "  added    table public.hotfix\n"
            "(old: snapshot squashed, new: the live schema; squashctl diff ... --sql prints the "
            "script that makes the target equal the snapshot)\n");
}

TEST(DiffView, SaysWhenThereIsNoDifference) {
  auto answer = json::parse(
      R"({"target": "dev", "against": "base", "differences": 0, "diff": {"changes": []}})");
  EXPECT_EQ(format_diff(answer), "target dev against snapshot base: no differences\n");
}

TEST(DiffView, RefusesAnAnswerWithoutChanges) {
  EXPECT_THROW(format_diff(json::parse(R"({"target": "dev"})")), json::exception);
}

}  // namespace
}  // namespace squash::client
