#pragma once

#include <string_view>

namespace kuimen {

// Names the calling thread as `top`, `ps -L` and profilers show it (Linux
// keeps 15 bytes; a longer name is cut there), so a profile of `kuimen serve`
// says which of its threads spends the time: the store's stager and syncer,
// the relay, each view's feed, the HTTP loop and workers.
void NameThisThread(std::string_view name);

}  // namespace kuimen
