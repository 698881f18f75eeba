#include "hntt_system.h"
