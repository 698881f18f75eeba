// The fuzzing build's entry point. SwiftPM names an executable's entry `<module>_main`; under
// -DHNTT_FUZZING the Swift @main is compiled out and this hands control to libFuzzer's driver.
#include "fuzz_main.h"

#ifdef HNTT_FUZZING
#include <stddef.h>
#include <stdint.h>

extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
extern int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int hntt_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
#endif
