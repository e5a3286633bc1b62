// 128-bit products for exact rate and time arithmetic (a GCC/Clang extension on 64-bit targets).
#pragma once

namespace ics {
__extension__ typedef unsigned __int128 uint128;
}
