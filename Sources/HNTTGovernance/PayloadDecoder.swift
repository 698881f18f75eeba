import Foundation

/// Decodes a logbook content straight from its stored object of strings (no JSON in between): a year's
/// report reads every session several times. Values are strings; numbers and booleans are parsed from them.
struct PayloadDecoder: Decoder {
    let payload: [String: String]
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(payload: payload, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(
            [Any].self, .init(codingPath: codingPath, debugDescription: "a payload holds no lists"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(
            String.self, .init(codingPath: codingPath, debugDescription: "a payload is an object"))
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let payload: [String: String]
        let codingPath: [any CodingKey]
        var allKeys: [Key] { payload.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { payload[key.stringValue] != nil }
        func decodeNil(forKey key: Key) throws -> Bool { payload[key.stringValue] == nil }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            guard let value = payload[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "absent"))
            }
            if let value = value as? T { return value }
            return try T(from: Value(text: value, codingPath: codingPath + [key]))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            throw DecodingError.typeMismatch(
                type, .init(codingPath: codingPath + [key], debugDescription: "a payload is flat"))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch(
                [Any].self, .init(codingPath: codingPath + [key], debugDescription: "a payload is flat"))
        }

        func superDecoder() throws -> any Decoder { PayloadDecoder(payload: payload, codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> any Decoder { try superDecoder() }
    }

    /// One string value, for enums with raw values and the few numbers.
    struct Value: Decoder, SingleValueDecodingContainer {
        let text: String
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            throw mismatch(type)
        }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw mismatch([Any].self) }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

        func decodeNil() -> Bool { false }
        func decode(_ type: String.Type) throws -> String { text }
        func decode(_ type: Bool.Type) throws -> Bool {
            guard let value = Bool(text) else { throw mismatch(type) }
            return value
        }
        func decode(_ type: Double.Type) throws -> Double {
            guard let value = Double(text) else { throw mismatch(type) }
            return value
        }
        func decode(_ type: Int.Type) throws -> Int {
            guard let value = Int(text) else { throw mismatch(type) }
            return value
        }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            if let value = text as? T { return value }
            return try T(from: self)
        }

        func mismatch(_ type: Any.Type) -> DecodingError {
            .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "the payload holds \"\(text)\""))
        }
    }
}
