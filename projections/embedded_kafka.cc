#include "projections/embedded_kafka.h"

#include <spdlog/spdlog.h>

#include "projections/kafka_client.h"  // rdkafka.h, which must come before rdkafka_mock.h
#include <librdkafka/rdkafka_mock.h>

namespace kuimen {

struct EmbeddedKafka::Cluster {
  kafka::Handle owner;  // the mock cluster lives as long as this handle
  rd_kafka_mock_cluster_t* cluster = nullptr;

  ~Cluster() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
  }
};

EmbeddedKafka::EmbeddedKafka() : cluster_(std::make_unique<Cluster>()) {}

Result<std::unique_ptr<EmbeddedKafka>> EmbeddedKafka::Start(const std::string& topic, int partitions) {
  std::unique_ptr<EmbeddedKafka> kafka(new EmbeddedKafka());
  // The owner handle only hosts the cluster; it never connects anywhere.
  ASSIGN_OR_RETURN(kafka->cluster_->owner, kafka::Create(RD_KAFKA_PRODUCER, {{"log_level", "3"}}));
  kafka->cluster_->cluster = rd_kafka_mock_cluster_new(kafka->cluster_->owner.get(), 1);
  if (kafka->cluster_->cluster == nullptr) return Status::Unavailable("cannot start the embedded Kafka cluster");
  kafka->bootstrap_ = rd_kafka_mock_cluster_bootstraps(kafka->cluster_->cluster);
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(kafka->cluster_->cluster, topic.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable("cannot create topic " + topic + " in the embedded Kafka cluster: " +
                               rd_kafka_err2str(err));
  }
  spdlog::info("kafka: embedded mock cluster at {} (topic {}, {} partitions)", kafka->bootstrap_, topic, partitions);
  return kafka;
}

EmbeddedKafka::~EmbeddedKafka() = default;

}  // namespace kuimen
