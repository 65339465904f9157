// The OpenAPI document served at /api/v1/openapi.json (gateway/openapi.json)
// stays true to the route table the server serves (gateway/api_routes.h).
#include "gateway/openapi.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "eventstore/event_codec.h"
#include "gateway/api_routes.h"

namespace kuimen {
namespace {

using nlohmann::json;

// The HTTP methods OpenAPI 3 allows as keys of a path item; its other keys
// (summary, parameters, servers, …) are not operations.
const std::set<std::string>& OperationKeys() {
  static const std::set<std::string> keys = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  return keys;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// "GET /api/v1/tasks/{no}", for messages and sets.
std::string Describe(const std::string& method, const std::string& path) { return method + " " + path; }

json Document() { return json::parse(kOpenApiJson, nullptr, /*allow_exceptions=*/false); }

// The names in a templated path, in order: "/tasks/{no}/events" -> {"no"}.
std::vector<std::string> PathParameterNames(const std::string& path) {
  static const std::regex kParam(R"(\{([A-Za-z0-9_]+)\})");
  std::vector<std::string> names;
  for (auto it = std::sregex_iterator(path.begin(), path.end(), kParam); it != std::sregex_iterator(); ++it) {
    names.push_back((*it)[1]);
  }
  return names;
}

// A "$ref" to "#/components/..." replaced by what it names; other values as they are.
// A reference that does not resolve gives null, which the checks then report.
json Resolve(const json& document, const json& value) {
  if (!value.is_object() || !value.contains("$ref") || !value["$ref"].is_string()) return value;
  const std::string ref = value["$ref"].get<std::string>();
  if (ref.rfind("#/", 0) != 0) return nullptr;
  const json::json_pointer pointer(ref.substr(1));
  return document.contains(pointer) ? document.at(pointer) : json(nullptr);
}

// Every operation of the document: "GET /path" -> the operation object.
std::map<std::string, json> Operations(const json& document) {
  std::map<std::string, json> operations;
  for (const auto& [path, item] : document.at("paths").items()) {
    for (const auto& [key, operation] : item.items()) {
      if (OperationKeys().contains(key)) {
        std::string method = key;
        std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::toupper(c); });
        operations[Describe(method, path)] = operation;
      }
    }
  }
  return operations;
}

// The path parameters an operation declares, its path item's included.
std::set<std::string> DeclaredPathParameters(const json& document, const json& path_item, const json& operation) {
  std::set<std::string> names;
  for (const json* owner : {&path_item, &operation}) {
    if (!owner->contains("parameters")) continue;
    for (const json& entry : (*owner)["parameters"]) {
      const json parameter = Resolve(document, entry);
      if (parameter.is_object() && parameter.value("in", "") == "path" && parameter.value("required", false)) {
        names.insert(parameter.value("name", ""));
      }
    }
  }
  return names;
}

TEST(OpenApiDocument, IsAnOpenApi3DocumentWithPaths) {
  const json document = Document();
  ASSERT_FALSE(document.is_discarded()) << "gateway/openapi.json is not valid JSON";
  ASSERT_TRUE(document.is_object());
  ASSERT_TRUE(document.contains("openapi") && document["openapi"].is_string());
  EXPECT_EQ(document["openapi"].get<std::string>().rfind("3.", 0), 0u) << document["openapi"];
  ASSERT_TRUE(document.contains("paths") && document["paths"].is_object());
  EXPECT_TRUE(document.contains(json::json_pointer("/components/securitySchemes/bearerAuth")));
}

TEST(OpenApiDocument, DescribesEveryRoute) {
  const json document = Document();
  ASSERT_FALSE(document.is_discarded());
  const std::map<std::string, json> operations = Operations(document);
  const std::vector<Route> routes = AllRoutes();
  ASSERT_FALSE(routes.empty());
  for (const Route& route : routes) {
    EXPECT_TRUE(operations.contains(Describe(route.method, route.path)))
        << Describe(route.method, route.path) << " is a route but not in gateway/openapi.json";
  }
}

TEST(OpenApiDocument, DescribesNoOperationThatIsNotARoute) {
  const json document = Document();
  ASSERT_FALSE(document.is_discarded());
  std::set<std::string> routes;
  for (const Route& route : AllRoutes()) routes.insert(Describe(route.method, route.path));
  for (const auto& [operation, body] : Operations(document)) {
    EXPECT_TRUE(routes.contains(operation)) << operation << " is in gateway/openapi.json but the server has no such route";
  }
}

TEST(OpenApiDocument, DeclaresEachPathParameterOfEveryRoute) {
  const json document = Document();
  ASSERT_FALSE(document.is_discarded());
  for (const Route& route : AllRoutes()) {
    const std::string where = Describe(route.method, route.path);
    if (!document.at("paths").contains(route.path)) continue;  // DescribesEveryRoute reports it
    const json& item = document.at("paths").at(route.path);
    const std::string method = Lower(route.method);
    if (!item.contains(method)) continue;
    const std::set<std::string> declared = DeclaredPathParameters(document, item, item[method]);
    const std::vector<std::string> in_path = PathParameterNames(route.path);
    for (const std::string& name : in_path) {
      EXPECT_TRUE(declared.contains(name)) << where << " does not declare the required path parameter \"" << name << "\"";
    }
    for (const std::string& name : declared) {
      EXPECT_NE(std::find(in_path.begin(), in_path.end(), name), in_path.end())
          << where << " declares a path parameter \"" << name << "\" its path does not have";
    }
  }
}

TEST(OpenApiDocument, RequiresATokenExactlyWhereTheServerDoes) {
  const json document = Document();
  ASSERT_FALSE(document.is_discarded());
  // The document's default applies where an operation sets no security of its own.
  const json global_security = document.value("security", json::array());
  ASSERT_FALSE(global_security.empty()) << "the document should apply bearerAuth globally";
  for (const Route& route : AllRoutes()) {
    const std::string where = Describe(route.method, route.path);
    if (!document.at("paths").contains(route.path)) continue;  // DescribesEveryRoute reports it
    const json& item = document.at("paths").at(route.path);
    const std::string method = Lower(route.method);
    if (!item.contains(method)) continue;
    const json& operation = item[method];
    if (route.access == Access::kPublic) {
      EXPECT_TRUE(operation.contains("security") && operation["security"] == json::array())
          << where << " needs no token, so its operation must say \"security\": []";
      continue;
    }
    const json security = operation.value("security", global_security);
    EXPECT_FALSE(security.empty()) << where << " needs a token but its operation says \"security\": []";
    EXPECT_TRUE(operation.contains("responses") && operation["responses"].contains("401"))
        << where << " needs a token but does not list the 401 response";
  }
}

TEST(OpenApiDocument, GivesEveryOperationAUniqueOperationId) {
  const json document = Document();
  ASSERT_FALSE(document.is_discarded());
  std::map<std::string, std::string> first_use;  // operationId -> operation
  for (const auto& [operation, body] : Operations(document)) {
    ASSERT_TRUE(body.contains("operationId") && body["operationId"].is_string() &&
                !body["operationId"].get<std::string>().empty())
        << operation << " has no operationId";
    const std::string id = body["operationId"].get<std::string>();
    const auto [it, inserted] = first_use.emplace(id, operation);
    EXPECT_TRUE(inserted) << "operationId \"" << id << "\" is used by both " << it->second << " and " << operation;
  }
}

TEST(OpenApiDocument, ResolvesEveryReference) {
  const json document = Document();
  ASSERT_FALSE(document.is_discarded());
  const json flat = document.flatten();
  for (const auto& [pointer, value] : flat.items()) {
    const std::string suffix = "/$ref";
    if (pointer.size() < suffix.size() || pointer.compare(pointer.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    EXPECT_FALSE(Resolve(document, json{{"$ref", value}}).is_null()) << pointer << " refers to " << value
                                                                     << ", which the document does not have";
  }
}

// Every event type the codec knows appears in the envelope's type list and
// has a schema of its own, so a new type (NoticeSigned, say) is documented.
TEST(OpenApiDocument, ListsEveryEventTypeTheCodecKnows) {
  const json document = Document();
  ASSERT_FALSE(document.is_discarded());
  const json& schemas = document["components"]["schemas"];
  std::set<std::string> listed;
  for (const json& type : schemas["EventEnvelope"]["properties"]["type"]["enum"]) listed.insert(type.get<std::string>());
  for (std::string_view name : EventTypeNames()) {
    EXPECT_TRUE(listed.count(std::string(name))) << name << " is missing from EventEnvelope.type";
    EXPECT_TRUE(schemas.contains(std::string(name))) << name << " has no schema";
  }
  EXPECT_EQ(listed.size(), EventTypeNames().size());
}

}  // namespace
}  // namespace kuimen
