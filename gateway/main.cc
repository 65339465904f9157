#include <sys/stat.h>

#include "gateway/cli.h"

int main(int argc, char** argv) {
  // Everything kuimen writes (the event store's files, which RocksDB creates
  // through its Env, views, keys, tokens, backups) holds personal names:
  // owner-only, files 0600 and directories 0700.
  umask(077);
  return kuimen::RunCli(argc, argv);
}
