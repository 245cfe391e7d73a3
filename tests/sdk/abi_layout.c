/* Compiled as strict C99 (see CMakeLists.txt): the header must be valid C99 and keep its layout. */
#include "abi_layout.h"

int siphost_abi_layout_checked_in_c(void);
int siphost_abi_layout_checked_in_c(void) { return SIPHOST_ABI_MAJOR; }
