#include "gateway/cli.h"

int main(int argc, char** argv) { return kuimen::RunCli(argc, argv); }
