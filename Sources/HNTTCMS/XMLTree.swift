import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An XML document as a tree, read by Foundation's XMLParser (libxml2): elements with their attributes,
/// children and text. Bridges answer small documents; a tree is simpler to query than parser callbacks.
public final class XMLTree: @unchecked Sendable {
    public let name: String
    public let attributes: [String: String]
    public internal(set) var children: [XMLTree] = []
    public internal(set) var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// The first child of that name.
    public func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }
    /// Every child of that name.
    public func all(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }
    /// The trimmed text of the first child of that name.
    public func value(_ name: String) -> String? {
        child(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Parses `data`; nil when it is not well-formed XML or nests deeper than `maximumDepth`, or is not
    /// UTF-8: FoundationXML traps on a name that is not valid UTF-8 (found by fuzzing), so such bytes never
    /// reach it.
    public static func parse(_ data: Data, maximumDepth: Int = 64) -> XMLTree? {
        guard String(bytes: data, encoding: .utf8) != nil, !data.contains(0) else { return nil }
        let builder = Builder(maximumDepth: maximumDepth)
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), !builder.failed else { return nil }
        return builder.root
    }

    final class Builder: NSObject, XMLParserDelegate {
        let maximumDepth: Int
        var stack: [XMLTree] = []
        var root: XMLTree?
        var failed = false

        init(maximumDepth: Int) { self.maximumDepth = maximumDepth }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            guard stack.count < maximumDepth else {
                failed = true
                parser.abortParsing()
                return
            }
            let element = XMLTree(name: elementName, attributes: attributes)
            if let parent = stack.last { parent.children.append(element) } else if root == nil { root = element }
            stack.append(element)
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
        ) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last?.text += string }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { failed = true }
    }
}
