// Returning sets of rows from a SQUASH_FUNCTION (materialize mode).
#pragma once

#include "pg_squash/pg/spi.hpp"

namespace squash {

// Puts rows (text values, NULL as nullopt) into the function's result tuplestore. Values
// are converted by the result columns' input functions. Call at most once per call.
void return_rows(FunctionCallInfo fcinfo, const std::vector<Row>& rows);

// Text argument n, or nullopt when NULL.
std::optional<std::string> text_arg(FunctionCallInfo fcinfo, int n);
// text[] argument n as strings (NULL elements rejected), or nullopt when NULL.
std::optional<std::vector<std::string>> text_array_arg(FunctionCallInfo fcinfo, int n);
// A text Datum for a C++ string, made in the function's call context (safe to return
// while an Spi is still open).
Datum text_datum(const std::string& s);
// A jsonb Datum parsed from JSON text, likewise.
Datum jsonb_datum(const std::string& json);

}  // namespace squash
