/// Patterns over configuration keys, as profiles write them: words separated by spaces, where
/// `*` stands for one word, a final `**` for any number of words, and a word ending in `*` for a
/// word prefix (`Password*`). Used for secret, volatile and governed keys alike.
public enum KeyPattern {
    public static func matches(_ key: String, _ pattern: String) -> Bool {
        let words = key.split(separator: " ").map(String.init)
        var patternWords = pattern.split(separator: " ").map(String.init)
        let open = patternWords.last == "**"
        if open { patternWords.removeLast() }
        guard open ? words.count >= patternWords.count : words.count == patternWords.count else { return false }
        return zip(patternWords, words).allSatisfy { pattern, word in
            if pattern == "*" { return true }
            if pattern.hasSuffix("*") { return word.hasPrefix(pattern.dropLast()) }
            return pattern == word
        }
    }

    public static func matchesAny(_ key: String, _ patterns: [String]) -> Bool {
        patterns.contains { matches(key, $0) }
    }
}
