// The request-body decoder (gateway/request_parsing.h) and the per-event
// `data` path of POST /api/v1/tasks/{no}/events, .../majors/{no}/events and
// /api/v1/assessment/{year}/events, on arbitrary bodies.
//
// The steps follow SubmitEvent in gateway/api_streams.cc up to the command
// handler: ParseJsonObjectBody, RejectUnknownFields, the type and data
// fields, EventFromJson, then the domain's ValidateEventData that every
// aggregate runs first. (SubmitEvent itself is file-local; if it moves into a
// function of its own, call that here instead.)
//
// Properties: no crash, no undefined behaviour, no exception out of these
// functions; every refusal is kInvalidArgument, and its JSON error body can
// be written (gateway/http_error.h, as the server does); an
// event that is accepted survives the store's codec unchanged (decode(encode(e))
// == e) and its JSON form (the API's reply) reads back to the same event.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "domain/event_validation.h"
#include "eventstore/event_codec.h"
#include "gateway/http_error.h"
#include "gateway/request_parsing.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// A refusal as the client gets it.
void CheckRefusal(const kuimen::Status& status) {
  FUZZ_CHECK(status.code() == kuimen::StatusCode::kInvalidArgument, "a bad body is refused with 400");
  // The field is not checked: a member named "" is refused as field "".
  (void)kuimen::ErrorBody(status).dump();  // throws type_error.316 on bytes that are not UTF-8
}

void Check(std::string_view bytes) {
  httplib::Request request;
  request.method = "POST";
  request.path = "/api/v1/tasks/7/events";
  request.body = std::string(bytes);

  kuimen::Result<nlohmann::json> body = kuimen::ParseJsonObjectBody(request);
  if (!body.ok()) return CheckRefusal(body.status());
  FUZZ_CHECK(body->is_object(), "a parsed body is an object");

  if (kuimen::Status unknown = kuimen::RejectUnknownFields(*body, {"type", "data", "expected_version", "event_id"});
      !unknown.ok()) {
    return CheckRefusal(unknown);
  }
  auto type = body->find("type");
  auto data = body->find("data");
  if (type == body->end() || !type->is_string() || data == body->end() || !data->is_object()) return;

  const std::string type_name = type->get<std::string>();
  kuimen::Result<kuimen::EventData> event = kuimen::EventFromJson(type_name, *data);
  if (!event.ok()) return CheckRefusal(event.status());
  if (kuimen::Status valid = kuimen::ValidateEventData(*event); !valid.ok()) return CheckRefusal(valid);

  const kuimen::EncodedEvent encoded = kuimen::EncodeEvent(*event);
  FUZZ_CHECK(encoded.type == type_name, "an accepted event is stored under the type the client named");
  kuimen::Result<kuimen::EventData> stored = kuimen::DecodeEvent(encoded.type, encoded.schema_version, encoded.data);
  FUZZ_CHECK(stored.ok(), "an accepted event's stored bytes decode");
  FUZZ_CHECK(*stored == *event, "an accepted event is stored unchanged: decode(encode(e)) == e");

  const nlohmann::json reply = kuimen::EventToJson(*event);
  (void)reply.dump();  // the 201 body
  kuimen::Result<kuimen::EventData> echoed = kuimen::EventFromJson(type_name, reply);
  FUZZ_CHECK(echoed.ok() && *echoed == *event, "the event in the reply reads back as the event accepted");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return kuimen::fuzz::Guarded([&] { Check(std::string_view(reinterpret_cast<const char*>(data), size)); });
}
