#include "gateway/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace kuimen {
namespace {

[[noreturn]] void RegistrationBug(const std::string& message) {
  // Not a Status: registration takes constants from the code, so this is a
  // bug that every start-up would hit, and aborting names it in the first test.
  std::fprintf(stderr, "metrics: %s\n", message.c_str());
  std::abort();
}

bool ValidName(std::string_view name, bool colons) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colons && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Go's strconv.FormatFloat(v, 'g', -1, 64), as Prometheus' own clients print:
// the shortest form that reads back the same, "+Inf", "-Inf", "NaN".
std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

// Label values escape backslash, double quote and line feed; HELP text
// escapes backslash and line feed (format 0.0.4).
std::string Escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quotes && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// {a="x",b="y"} with `extra` (the bucket's le) last; empty when no labels.
std::string LabelText(const MetricLabels& labels, const std::pair<std::string, std::string>* extra = nullptr) {
  if (labels.empty() && extra == nullptr) return "";
  std::string out = "{";
  auto add = [&out](const std::pair<std::string, std::string>& label) {
    if (out.size() > 1) out += ',';
    out += label.first + "=\"" + Escape(label.second, true) + "\"";
  };
  for (const auto& label : labels) add(label);
  if (extra != nullptr) add(*extra);
  out += "}";
  return out;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double value) {
  // Upper bounds are inclusive: the first bound >= value; past the last (or
  // NaN, which compares false with every bound), +Inf, as Go's client does.
  auto bucket = std::isnan(value) ? static_cast<std::ptrdiff_t>(bounds_.size())
                                  : std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.cumulative.reserve(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(running);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

struct MetricsRegistry::Series {
  MetricLabels labels;
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Histogram> histogram;
  std::function<double()> gauge;
};

struct MetricsRegistry::Family {
  std::string name;
  std::string help;
  Type type = Type::kCounter;
  std::vector<std::unique_ptr<Series>> series;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Series& MetricsRegistry::AddSeries(const std::string& name, const std::string& help, Type type,
                                                    MetricLabels labels) {
  if (!ValidName(name, true)) RegistrationBug("\"" + name + "\" is not a valid metric name");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string& label = labels[i].first;
    if (!ValidName(label, false) || label.rfind("__", 0) == 0) {
      RegistrationBug(name + ": \"" + label + "\" is not a valid label name");
    }
    if (type == Type::kHistogram && label == "le") RegistrationBug(name + ": the label le is reserved for buckets");
    for (std::size_t j = 0; j < i; ++j) {
      if (labels[j].first == label) RegistrationBug(name + ": the label " + label + " is given twice");
    }
  }

  auto found = std::find_if(families_.begin(), families_.end(),
                            [&name](const std::unique_ptr<Family>& family) { return family->name == name; });
  Family* family = nullptr;
  if (found == families_.end()) {
    families_.push_back(std::make_unique<Family>(Family{name, help, type, {}}));
    family = families_.back().get();
  } else {
    family = found->get();
    if (family->type != type || family->help != help) {
      RegistrationBug(name + ": registered again with another type or help text");
    }
    auto names = [](const MetricLabels& of) {
      std::vector<std::string> out;
      for (const auto& label : of) out.push_back(label.first);
      return out;
    };
    if (names(family->series.front()->labels) != names(labels)) {
      RegistrationBug(name + ": every series of a metric must have the same label names, in the same order");
    }
    for (const auto& series : family->series) {
      if (series->labels == labels) RegistrationBug(name + LabelText(labels) + ": registered twice");
    }
  }
  family->series.push_back(std::make_unique<Series>());
  family->series.back()->labels = std::move(labels);
  return *family->series.back();
}

Counter& MetricsRegistry::AddCounter(const std::string& name, const std::string& help, MetricLabels labels) {
  std::lock_guard lock(mu_);
  Series& series = AddSeries(name, help, Type::kCounter, std::move(labels));
  series.counter = std::make_unique<Counter>();
  return *series.counter;
}

Histogram& MetricsRegistry::AddHistogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                                         MetricLabels labels) {
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      RegistrationBug(name + ": bucket bounds must be finite and strictly increasing");
    }
  }
  std::lock_guard lock(mu_);
  Series& series = AddSeries(name, help, Type::kHistogram, std::move(labels));
  series.histogram = std::make_unique<Histogram>(std::move(bounds));
  return *series.histogram;
}

void MetricsRegistry::AddGauge(const std::string& name, const std::string& help, std::function<double()> read,
                               MetricLabels labels) {
  if (!read) RegistrationBug(name + ": a gauge needs a function to read it");
  std::lock_guard lock(mu_);
  Series& series = AddSeries(name, help, Type::kGauge, std::move(labels));
  series.gauge = std::move(read);
}

std::string MetricsRegistry::RenderText() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& family : families_) {
    const char* type = family->type == Type::kCounter ? "counter" : family->type == Type::kGauge ? "gauge" : "histogram";
    out += "# HELP " + family->name + " " + Escape(family->help, false) + "\n";
    out += "# TYPE " + family->name + " " + type + "\n";
    for (const auto& series : family->series) {
      const std::string labels = LabelText(series->labels);
      switch (family->type) {
        case Type::kCounter:
          out += family->name + labels + " " + std::to_string(series->counter->Value()) + "\n";
          break;
        case Type::kGauge:
          out += family->name + labels + " " + FormatValue(series->gauge()) + "\n";
          break;
        case Type::kHistogram: {
          const Histogram::Snapshot snapshot = series->histogram->Read();
          const std::vector<double>& bounds = series->histogram->bounds();
          for (std::size_t i = 0; i < snapshot.cumulative.size(); ++i) {
            const std::pair<std::string, std::string> le{"le", i < bounds.size() ? FormatValue(bounds[i]) : "+Inf"};
            out += family->name + "_bucket" + LabelText(series->labels, &le) + " " +
                   std::to_string(snapshot.cumulative[i]) + "\n";
          }
          out += family->name + "_sum" + labels + " " + FormatValue(snapshot.sum) + "\n";
          out += family->name + "_count" + labels + " " + std::to_string(snapshot.cumulative.back()) + "\n";
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace kuimen
