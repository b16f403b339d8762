#include "domain/engine/market_view.hpp"

#include <string>

namespace bt {

void throw_window_lookahead(std::size_t count, std::size_t closed) {
  throw lookahead_error("window of " + std::to_string(count) + " bars requested while "
                        + std::to_string(closed) + " bars have closed");
}

void throw_bar_lookahead(std::size_t index, std::size_t closed) {
  throw lookahead_error("bar " + std::to_string(index) + " requested while only "
                        + std::to_string(closed) + " bars have closed");
}

} // namespace bt
