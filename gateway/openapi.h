#pragma once

#include <string_view>

namespace kuimen {

// The OpenAPI 3 document of the HTTP API (gateway/openapi.json, compiled in),
// served at /api/v1/openapi.json. tests/gateway/openapi_test.cc keeps it true
// to the route table.
extern const std::string_view kOpenApiJson;

}  // namespace kuimen
