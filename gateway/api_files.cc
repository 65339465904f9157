// Routes of uploaded files (佐证材料): POST /api/v1/files streams a file to
// the data directory (gateway/file_store.h) and answers its hash; events cite
// it by that hash; GET /api/v1/files/{sha256} serves it to whoever may read a
// stream that cites it.
#include "gateway/api_files.h"

#include "domain/task_rules.h"
#include "gateway/api_routes.h"
#include "gateway/file_body.h"
#include "gateway/file_citations.h"
#include "gateway/file_store.h"
#include "gateway/text_safety.h"

namespace kuimen {

namespace {

constexpr std::size_t kMaxAttachments = 20;

// A file name as the clerk gave it (gateway/file_store.h, CheckFileName).
Status CheckName(const std::string& name, const std::string& field) { return CheckFileName(name, field); }

// The name for clients that read only ASCII names.
std::string AsciiName(const std::string& name, const std::string& fallback) {
  std::string ascii;
  for (unsigned char c : name) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ascii.push_back(static_cast<char>(c));
  }
  const std::size_t dot = ascii.rfind('.');
  if (dot == std::string::npos || dot == 0) return fallback + (dot == std::string::npos ? "" : ascii.substr(dot));
  return ascii;
}

Result<ApiReply> Upload(ApiContext& /*api*/, const ApiCall& call) {
  if (call.actor.role == Role::kAuditor) {
    return Status::PermissionDenied("审计人员只能查阅，不能填报或修改", std::string(RuleId(TaskRule::kAuditorReadOnly)));
  }
  const std::string name = call.http.get_param_value("name");
  RETURN_IF_ERROR(CheckName(name, "name"));
  auto* upload = static_cast<FileUpload*>(call.body_sink);  // made by this route's body_sink
  if (upload == nullptr) {
    return Status::InvalidArgument("文件内容为空或过短，请选择要上传的材料文件", "file", "file_too_small");
  }
  ASSIGN_OR_RETURN(StoredFile stored, upload->Commit());
  ApiReply reply;
  reply.status = 201;
  reply.json = {{"sha256", stored.sha256}, {"size", stored.size}, {"media_type", stored.media_type}, {"name", name}};
  return reply;
}

Result<ApiReply> Download(ApiContext& api, const ApiCall& call) {
  const std::string& sha256 = call.Param("sha256");
  const Status not_found = Status::NotFound("没有这个文件，或它尚未被报送材料引用", "file_not_found");
  if (!IsFileHash(sha256) || api.files == nullptr) return not_found;
  ASSIGN_OR_RETURN(std::optional<FileCitation> citation, api.citations->Find(sha256));
  // Only a file an event cites is served, to whoever may read such an event.
  if (!citation) return not_found;
  bool allowed = false;
  for (const std::string& stream : citation->streams) allowed = allowed || MayReadStream(call.actor, StreamId{stream});
  if (!allowed) {
    return Status::PermissionDenied("没有权限查看引用该文件的事项", "taskforce_or_auditor");
  }
  // Opened here, streamed by the listener (gateway/file_body.h): never held whole in memory.
  Result<std::shared_ptr<FileBody>> file = FileBody::Open(api.files->PathOf(sha256));
  if (!file.ok()) return Status::DataLoss("file " + sha256 + " is cited but cannot be read from the data directory: " +
                                          file.status().message());
  std::string name = call.http.get_param_value("name");
  if (!CheckName(name, "name").ok()) name = sha256;
  ApiReply reply;
  reply.file = std::move(file).value();
  reply.content_type = citation->media_type.empty() ? "application/octet-stream" : citation->media_type;
  reply.filename = name;
  reply.ascii_filename = AsciiName(name, sha256.substr(0, 16));
  reply.inline_file = IsInlineMediaType(citation->media_type);
  return reply;
}

}  // namespace

Status CheckAttachments(ApiContext& api, const EventData& event) {
  const std::vector<Attachment>& files = AttachmentsOf(event);
  if (files.size() > kMaxAttachments) {
    return Status::InvalidArgument("一次最多引用" + std::to_string(kMaxAttachments) + "个文件", "attachments",
                                   "too_many_items");
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    const Attachment& file = files[i];
    const std::string at = "attachments[" + std::to_string(i) + "].";
    RETURN_IF_ERROR(CheckName(file.name, at + "name"));
    if (api.files == nullptr) {
      return Status::InvalidArgument("所引用的文件尚未上传，请先上传", at + "sha256", "attachment_not_found");
    }
    Result<StoredFile> stored = api.files->Find(file.sha256, file.name);
    if (!stored.ok()) {
      return Status::InvalidArgument("所引用的文件尚未上传或已被清理，请重新上传", at + "sha256",
                                     "attachment_not_found");
    }
    if (stored->size != file.size) {
      return Status::InvalidArgument("所引用文件的大小与已上传的文件不符", at + "size", "attachment_mismatch");
    }
    if (stored->media_type != file.media_type) {
      return Status::InvalidArgument("所引用文件的类型与已上传的文件不符", at + "media_type", "attachment_mismatch");
    }
  }
  return Status::Ok();
}

void NoteCitations(ApiContext& api, const StreamId& stream, const std::vector<Attachment>& files) {
  if (api.citations != nullptr && !files.empty()) api.citations->Add(stream, files);
  if (api.files != nullptr && !files.empty()) {
    // Cited files no longer count against their uploader's share of uncited uploads.
    std::vector<std::string> cited;
    for (const Attachment& file : files) cited.push_back(file.sha256);
    api.files->NoteCited(cited);
  }
}

std::vector<Route> FileRoutes() {
  std::vector<Route> routes;
  Route upload{"POST", "/api/v1/files", Access::kAnyPrincipal, Upload};
  upload.body_sink = [](ApiContext& api, const HttpRequestHead& head, const Actor& actor) -> std::shared_ptr<BodySink> {
    if (api.files == nullptr) return nullptr;
    const auto name = head.params.find("name");
    return api.files->BeginUpload(name == head.params.end() ? "" : name->second, actor.principal);
  };
  routes.push_back(std::move(upload));
  routes.push_back({"GET", "/api/v1/files/{sha256}", Access::kAnyPrincipal, Download});
  return routes;
}

}  // namespace kuimen
