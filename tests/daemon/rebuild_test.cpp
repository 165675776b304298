// The rebuild job's pure pieces: pg_restore list filtering and revision ids.
#include <gtest/gtest.h>

#include <string>

#include "jobs/rebuild.hpp"
#include "jobs/squash_state.hpp"

namespace squash {
namespace {

// What `pg_restore --list --create` prints for a small database (PostgreSQL 15).
const char kList[] =
    ";\n"
    "; Archive created at 2026-11-24 08:53:33 UTC\n"
    ";     dbname: app1\n"
    ";\n"
    "3670; 1262 16468 DATABASE - app1 postgres\n"
    "3671; 0 0 COMMENT - DATABASE app1 postgres\n"
    "3672; 0 0 ACL - DATABASE app1 postgres\n"
    "3673; 0 0 DATABASE PROPERTIES - app1 postgres\n"
    "2; 3079 16807 EXTENSION - pg_squash \n"
    "902; 1247 16495 DOMAIN public hgnc_id postgres\n"
    "215; 1259 16470 TABLE public alembic_version postgres\n"
    "216; 1259 16480 TABLE public genes postgres\n"
    "3660; 0 16470 TABLE DATA public alembic_version postgres\n"
    "3661; 0 16480 TABLE DATA public genes postgres\n"
    "3662; 0 16490 TABLE DATA audit alembic_version postgres\n"
    "3663; 0 16491 TABLE DATA public alembic_version_old postgres\n"
    "3680; 0 0 SEQUENCE SET public genes_id_seq postgres\n"
    "3664; 0 16776 MATERIALIZED VIEW DATA public gene_score_mv postgres\n"
    "3690; 0 0 COMMENT public TABLE genes postgres\n";

TEST(Rebuild, TocDescription) {
  EXPECT_EQ(jobs::toc_desc("3670; 1262 16468 DATABASE - app1 postgres"),
            "DATABASE - app1 postgres");
  EXPECT_EQ(jobs::toc_desc("3660; 0 16470 TABLE DATA public t owner"), "TABLE DATA public t owner");
  EXPECT_EQ(jobs::toc_desc(";     dbname: app1"), "");
  EXPECT_EQ(jobs::toc_desc(""), "");
  EXPECT_EQ(jobs::toc_desc("no semicolon here"), "");
}

TEST(Rebuild, DatabaseEntriesKeepOnlyTheDatabaseItself) {
  auto kept = jobs::database_entries(kList);
  EXPECT_NE(kept.find("DATABASE - app1"), std::string::npos);
  EXPECT_NE(kept.find("COMMENT - DATABASE app1"), std::string::npos);
  EXPECT_NE(kept.find("ACL - DATABASE app1"), std::string::npos);
  EXPECT_NE(kept.find("DATABASE PROPERTIES - app1"), std::string::npos);
  EXPECT_NE(kept.find(";     dbname: app1"), std::string::npos) << "comments are kept";
  EXPECT_EQ(kept.find("EXTENSION"), std::string::npos);
  EXPECT_EQ(kept.find("TABLE"), std::string::npos);
  EXPECT_EQ(kept.find("COMMENT public TABLE"), std::string::npos);
}

TEST(Rebuild, DataListLeavesOutOnlyAlembicVersionRows) {
  std::size_t excluded = 0;
  auto kept = jobs::without_version_data(kList, &excluded);
  EXPECT_EQ(excluded, 2u) << "public.alembic_version and audit.alembic_version";
  EXPECT_EQ(kept.find("TABLE DATA public alembic_version postgres"), std::string::npos);
  EXPECT_EQ(kept.find("TABLE DATA audit alembic_version"), std::string::npos);
  EXPECT_NE(kept.find("TABLE DATA public alembic_version_old"), std::string::npos);
  EXPECT_NE(kept.find("TABLE DATA public genes"), std::string::npos);
  EXPECT_NE(kept.find("SEQUENCE SET public genes_id_seq"), std::string::npos);
  EXPECT_NE(kept.find("TABLE public alembic_version postgres"), std::string::npos)
      << "the table's definition stays; only its rows go";
}

TEST(Rebuild, RevisionIds) {
  EXPECT_EQ(jobs::revision_problem("000_squashed_complete"), "");
  EXPECT_EQ(jobs::revision_problem(std::string(32, 'a')), "");
  EXPECT_NE(jobs::revision_problem(std::string(33, 'a')), "");
  EXPECT_EQ(jobs::revision_problem(std::string(40, 'a'), 64), "");
  EXPECT_NE(jobs::revision_problem(""), "");
  EXPECT_NE(jobs::revision_problem("a b"), "");
  EXPECT_NE(jobs::revision_problem("abc\n"), "");
  EXPECT_NE(jobs::revision_problem(std::string("a\x7f", 2)), "");
}

TEST(Rebuild, SquashStateDescription) {
  nlohmann::json state = {{"format", 1},
                          {"tables",
                           {{{"name", "stamp_history"}, {"rows", {"(1,x)", "(2,y)"}}},
                            {{"name", "expectations"}, {"rows", nlohmann::json::array()}}}},
                          {"sequences", nlohmann::json::array()}};
  EXPECT_EQ(jobs::describe_squash_state(state), "2 row(s) in 2 table(s)");
  EXPECT_EQ(jobs::describe_squash_state(nlohmann::json()), "0 row(s) in 0 table(s)");
}

}  // namespace
}  // namespace squash
