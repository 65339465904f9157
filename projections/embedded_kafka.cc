#include "projections/embedded_kafka.h"

#include <librdkafka/rdkafka_mock.h>
#include <spdlog/spdlog.h>

namespace kuimen {

Result<std::unique_ptr<EmbeddedKafka>> EmbeddedKafka::Start(const std::string& topic, int partitions) {
  std::unique_ptr<EmbeddedKafka> kafka(new EmbeddedKafka());
  // The owner handle only hosts the cluster; it never connects anywhere.
  ASSIGN_OR_RETURN(kafka->owner_, kafka::Create(RD_KAFKA_PRODUCER, {{"log_level", "3"}}));
  kafka->cluster_ = rd_kafka_mock_cluster_new(kafka->owner_.get(), 1);
  if (kafka->cluster_ == nullptr) return Status::Unavailable("cannot start the embedded Kafka cluster");
  kafka->bootstrap_ = rd_kafka_mock_cluster_bootstraps(kafka->cluster_);
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(kafka->cluster_, topic.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable("cannot create topic " + topic + " in the embedded Kafka cluster: " +
                               rd_kafka_err2str(err));
  }
  spdlog::info("kafka: embedded mock cluster at {} (topic {}, {} partitions)", kafka->bootstrap_, topic, partitions);
  return kafka;
}

EmbeddedKafka::~EmbeddedKafka() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
}

}  // namespace kuimen
