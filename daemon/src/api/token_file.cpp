#include "api/token_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

#include <fmt/format.h>

namespace squash::api {

std::string read_token_file(const std::string& path, std::string* warning) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(
        fmt::format("cannot read token file {}: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!token.empty() && is_space(token.back())) token.pop_back();
  std::size_t start = 0;
  while (start < token.size() && is_space(token[start])) ++start;
  token.erase(0, start);
  if (token.empty()) throw std::runtime_error(fmt::format("token file {} is empty", path));
  if (token.find_first_of(" \t\r\n") != std::string::npos)
    throw std::runtime_error(fmt::format("token file {} holds more than one word", path));
  struct stat st {};
  if (warning && ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077))
    *warning = fmt::format("token file {} is readable by group or others (mode {:o}); chmod 600 it",
                           path, st.st_mode & 0777);
  return token;
}

}  // namespace squash::api
