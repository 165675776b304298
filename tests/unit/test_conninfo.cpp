// Connection strings without their secrets (model/conninfo.hpp).
#include <gtest/gtest.h>

#include "pg_squash/model/conninfo.hpp"

using squash::model::conninfo_text;
using squash::model::is_secret_key;
using squash::model::parse_conninfo;

namespace {

std::string text_of(const squash::model::Conninfo& c) {
  return conninfo_text(c.params);
}

}  // namespace

TEST(Conninfo, SecretKeys) {
  EXPECT_TRUE(is_secret_key("password"));
  EXPECT_TRUE(is_secret_key("sslpassword"));
  EXPECT_TRUE(is_secret_key("oauth_client_secret"));
  EXPECT_TRUE(is_secret_key("PASSWORD"));
  EXPECT_TRUE(is_secret_key("remote_passwd"));
  EXPECT_FALSE(is_secret_key("user"));
  EXPECT_FALSE(is_secret_key("passfile"));
  EXPECT_FALSE(is_secret_key("sslkey"));
  EXPECT_FALSE(is_secret_key("password_required"));
}

TEST(Conninfo, SecretOptionsOfWrappersAndUserMappings) {
  using squash::model::is_secret_option;
  // Wrappers, servers, foreign tables: credentials by any of their usual names.
  for (const char* k :
       {"password", "api_token", "API_KEY", "apikey", "aws_access_key_id", "private_key",
        "ssh_passphrase", "credentials_json", "auth_header", "client_secret"})
    EXPECT_TRUE(is_secret_option(k, false)) << k;
  for (const char* k : {"host", "port", "dbname", "schema_name", "table_name", "sslkey",
                        "password_required", "fetch_size"})
    EXPECT_FALSE(is_secret_option(k, false)) << k;
  // A user mapping: everything but the user and postgres_fdw's non-secret options.
  for (const char* k : {"password", "token", "region", "anything_else"})
    EXPECT_TRUE(is_secret_option(k, true)) << k;
  for (const char* k :
       {"user", "USERNAME", "password_required", "sslcert", "sslkey", "sslrootcert"})
    EXPECT_FALSE(is_secret_option(k, true)) << k;
}

TEST(Conninfo, KeywordValueDropsSecretsKeepsTheirNames) {
  auto c = parse_conninfo("host=db1 port=5432 password=hunter2 user=rep dbname=app");
  ASSERT_TRUE(c.ok);
  EXPECT_EQ(text_of(c), "dbname=app host=db1 port=5432 user=rep");
  ASSERT_EQ(c.secret_keys.size(), 1u);
  EXPECT_EQ(c.secret_keys[0], "password");
}

TEST(Conninfo, QuotedValuesAndEscapes) {
  auto c = parse_conninfo("  application_name = 'a b\\'c'  sslpassword='x y' host=h\\ 1");
  ASSERT_TRUE(c.ok);
  ASSERT_EQ(c.params.size(), 2u);
  EXPECT_EQ(c.params[0].first, "application_name");
  EXPECT_EQ(c.params[0].second, "a b'c");
  EXPECT_EQ(c.params[1].second, "h 1");
  EXPECT_EQ(text_of(c), "application_name='a b\\'c' host='h 1'");
  EXPECT_EQ(c.secret_keys, std::vector<std::string>{"sslpassword"});
  // The canonical text parses back to the same parameters.
  auto again = parse_conninfo(text_of(c));
  ASSERT_TRUE(again.ok);
  EXPECT_EQ(again.params, c.params);
}

TEST(Conninfo, NoSecretValueSurvivesAnywhere) {
  for (const char* s : {"password=hunter2 host=a", "postgresql://u:hunter2@a/db",
                        "host=a password='hunter2'", "postgres://a/db?password=hunter2"}) {
    auto c = parse_conninfo(s);
    ASSERT_TRUE(c.ok) << s;
    EXPECT_EQ(text_of(c).find("hunter2"), std::string::npos) << s;
    EXPECT_EQ(c.secret_keys, std::vector<std::string>{"password"}) << s;
    EXPECT_EQ(c.error.find("hunter2"), std::string::npos);
  }
}

TEST(Conninfo, LaterKeyWins) {
  auto c = parse_conninfo("host=a host=b");
  ASSERT_TRUE(c.ok);
  EXPECT_EQ(text_of(c), "host=b");
}

TEST(Conninfo, Uri) {
  auto c = parse_conninfo(
      "postgresql://rep%40x:s3cr%2Ft@db1:5433,[::1]:5434/my%20db?sslmode=require&"
      "application_name=sub");
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(text_of(c),
            "application_name=sub dbname='my db' host=db1,::1 port=5433,5434 sslmode=require "
            "user=rep@x");
  EXPECT_EQ(c.secret_keys, std::vector<std::string>{"password"});
  auto bare = parse_conninfo("postgres://");
  ASSERT_TRUE(bare.ok);
  EXPECT_EQ(text_of(bare), "");
  auto ssl = parse_conninfo("postgresql://h/d?ssl=true");
  ASSERT_TRUE(ssl.ok);
  EXPECT_EQ(text_of(ssl), "dbname=d host=h sslmode=require");
}

TEST(Conninfo, Malformed) {
  EXPECT_FALSE(parse_conninfo("host").ok);
  EXPECT_FALSE(parse_conninfo("host='a").ok);
  EXPECT_FALSE(parse_conninfo("=a").ok);
  EXPECT_FALSE(parse_conninfo("postgresql://h/d?novalue").ok);
  EXPECT_FALSE(parse_conninfo("postgresql://h/%zz").ok);
  EXPECT_FALSE(parse_conninfo("postgresql://u:pa%0@h").ok);
  EXPECT_FALSE(parse_conninfo("postgresql://[::1/d").ok);
  auto bad = parse_conninfo("password='hunter2");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.error.find("hunter2"), std::string::npos);
}

TEST(Conninfo, Empty) {
  auto c = parse_conninfo("");
  ASSERT_TRUE(c.ok);
  EXPECT_TRUE(c.params.empty());
  EXPECT_TRUE(c.secret_keys.empty());
}
