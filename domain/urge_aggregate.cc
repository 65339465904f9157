#include "domain/urge_aggregate.h"

#include <algorithm>

#include "domain/event_validation.h"
#include "domain/task_rules.h"

namespace kuimen {

void UrgeAggregate::Apply(StreamVersion version, const EventData&) { version_ = version; }

Status UrgeAggregate::Decide(const Actor& actor, const EventData& event) const {
  RETURN_IF_ERROR(RequireNotAuditor(actor));
  const UrgeSent* urge = std::get_if<UrgeSent>(&event);
  if (urge == nullptr) {
    return Status::InvalidArgument("催办记录只记工作专班的催办；进展、督办、考核和账号各有其记录", "type",
                                   "wrong_stream");
  }
  if (actor.role != Role::kTaskForce) {
    return Status::PermissionDenied("催办只能由工作专班发出", std::string(RuleId(TaskRule::kTaskForceOnly)));
  }
  RETURN_IF_ERROR(ValidateEventData(event));
  for (std::size_t i = 0; i < urge->units.size(); ++i) {
    if (std::find(units_.begin(), units_.end(), urge->units[i]) == units_.end()) {
      return Status::InvalidArgument("“" + urge->units[i] + "”不是方案中的单位", "units[" + std::to_string(i) + "]",
                                     "unknown_unit");
    }
  }
  return Status::Ok();
}

UrgeAggregate NewUrgeAggregate(const Catalog& catalog) {
  std::vector<std::string> units;
  for (const Unit& unit : catalog.units) units.push_back(unit.name);
  return UrgeAggregate(std::move(units));
}

}  // namespace kuimen
