#ifndef HNTT_CLIBSSH2_SHIM_H
#define HNTT_CLIBSSH2_SHIM_H
#include <libssh2.h>
#include <string.h>
#include <stdlib.h>

/* Swift cannot see libssh2's function-like macros; these wrappers expose what we use. */
static inline LIBSSH2_SESSION *hntt_session_init(void *abstract) {
    return libssh2_session_init_ex(NULL, NULL, NULL, abstract);
}
static inline LIBSSH2_CHANNEL *hntt_channel_open_session(LIBSSH2_SESSION *s) {
    return libssh2_channel_open_ex(s, "session", sizeof("session") - 1,
                                   LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}
static inline int hntt_channel_shell(LIBSSH2_CHANNEL *c) {
    return libssh2_channel_process_startup(c, "shell", sizeof("shell") - 1, NULL, 0);
}
static inline int hntt_session_disconnect(LIBSSH2_SESSION *s, const char *why) {
    return libssh2_session_disconnect_ex(s, SSH_DISCONNECT_BY_APPLICATION, why, "");
}
static inline int hntt_merge_stderr(LIBSSH2_CHANNEL *c) {
    return libssh2_channel_handle_extended_data2(c, LIBSSH2_CHANNEL_EXTENDED_DATA_MERGE);
}

/* The keyboard-interactive answer: every prompt gets the password stored behind `abstract`. */
typedef struct hntt_kbdint_secret { const char *bytes; unsigned int length; } hntt_kbdint_secret;

static void hntt_kbdint_callback(const char *name, int name_len, const char *instruction, int instruction_len,
                                 int num_prompts, const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
                                 LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract) {
    (void)name; (void)name_len; (void)instruction; (void)instruction_len; (void)prompts;
    const hntt_kbdint_secret *secret = abstract ? (const hntt_kbdint_secret *)*abstract : NULL;
    for (int i = 0; i < num_prompts; i++) {
        if (secret && secret->bytes) {
            char *copy = malloc(secret->length + 1);
            if (copy) { memcpy(copy, secret->bytes, secret->length); copy[secret->length] = 0; }
            responses[i].text = copy;
            responses[i].length = copy ? secret->length : 0;
        } else {
            responses[i].text = NULL;
            responses[i].length = 0;
        }
    }
}

static inline int hntt_userauth_kbdint(LIBSSH2_SESSION *s, const char *user, unsigned int user_len) {
    return libssh2_userauth_keyboard_interactive_ex(s, user, user_len, hntt_kbdint_callback);
}

/* The session's abstract slot, so the Swift side can point it at the current secret. */
static inline void hntt_set_abstract(LIBSSH2_SESSION *s, void *value) {
    void **slot = libssh2_session_abstract(s);
    if (slot) *slot = value;
}
#endif
