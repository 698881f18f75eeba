#ifndef HNTT_FUZZ_MAIN_H
#define HNTT_FUZZ_MAIN_H
// Nothing to import: the module exists so that its object is linked into hntt-fuzz.
static inline int hntt_fuzz_main_linked(void) { return 1; }
#endif
