/*
 * The umbrella every .c file in the project includes first: macros, allocators, strbuf,
 * logging, and (last) the banned-function list.
 */
#ifndef MC_COMMON_H
#define MC_COMMON_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/macros.h"
#include "common/xalloc.h"
#include "common/strbuf.h"
#include "common/log.h"
#include "common/banned.h"

#endif
