#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "domain/clock.h"
#include "domain/status.h"

// Reading what a client sent: the JSON body and the query parameters. Every
// refusal is kInvalidArgument naming the field, in a sentence a clerk can act on.
namespace kuimen {

// The body as a JSON object. Refuses a Content-Type other than JSON (field
// "Content-Type", 415), an empty body, text that is not JSON or not UTF-8, and
// JSON that is not an object (field "body"), and an object that names a member
// twice (field: that member's path).
Result<nlohmann::json> ParseJsonObjectBody(const httplib::Request& request);

// Refuses a member of `object` that is not one of `allowed`, naming it, so a
// misspelt field is reported rather than silently ignored.
Status RejectUnknownFields(const nlohmann::json& object, std::initializer_list<std::string_view> allowed,
                           const std::string& path = "");

// A non-negative integer query parameter; nullopt when absent.
Result<std::optional<std::uint64_t>> UintParam(const httplib::Request& request, const std::string& name);

// A moment given as an RFC 3339 time with "Z" or an offset
// (2024-12-31T23:59:59+08:00), or as a date (2024-12-31: the end of that day
// in China time, the plan's zone). nullopt when absent.
Result<std::optional<Timestamp>> TimeParam(const httplib::Request& request, const std::string& name);

// Parses the forms TimeParam accepts.
std::optional<Timestamp> ParseMoment(std::string_view text);

}  // namespace kuimen
