/// An element of an XML document read by `XMLReader`.
///
/// A small tree is enough for UPnP: device descriptions and SOAP answers are a few kilobytes, and code
/// that walks a tree is easier to get right than a streaming handler.
public struct XMLElement: Sendable, Hashable {
    /// `s` in `s:Envelope`; nil without a prefix.
    public var prefix: String?
    /// `Envelope` in `s:Envelope`. Lookups compare local names, since gateways pick their own prefixes.
    public var localName: String
    /// The namespace the prefix (or the default namespace) is bound to where the element appears; nil
    /// when nothing binds it.
    public var namespaceURI: String?
    public var attributes: [XMLAttribute]
    public var children: [XMLElement]
    /// The character data directly inside this element (not its children's), entities and CDATA decoded.
    public var text: String

    public init(
        prefix: String? = nil, localName: String, namespaceURI: String? = nil, attributes: [XMLAttribute] = [],
        children: [XMLElement] = [], text: String = ""
    ) {
        self.prefix = prefix
        self.localName = localName
        self.namespaceURI = namespaceURI
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    public var qualifiedName: String { prefix.map { "\($0):\(localName)" } ?? localName }

    /// The first child with this local name.
    public func child(_ localName: String) -> XMLElement? {
        children.first { $0.localName == localName }
    }

    /// The text of the first child with this local name, trimmed of surrounding whitespace.
    public func childText(_ localName: String) -> String? {
        child(localName).map { String($0.text.trimmingASCIIWhitespace) }
    }

    /// The value of the attribute with this qualified name (`configId`, `s:encodingStyle`).
    public func attribute(_ qualifiedName: String) -> String? {
        attributes.first { $0.qualifiedName == qualifiedName }?.value
    }

    /// Every element below this one with this local name, in document order. Iterative, so the walk does
    /// not depend on the stack (the reader bounds depth anyway).
    public func descendants(_ localName: String) -> [XMLElement] {
        var found: [XMLElement] = []
        var pending: [XMLElement] = children.reversed()
        while let element = pending.popLast() {
            if element.localName == localName { found.append(element) }
            pending.append(contentsOf: element.children.reversed())
        }
        return found
    }
}

public struct XMLAttribute: Sendable, Hashable {
    public var prefix: String?
    public var localName: String
    public var value: String

    public init(prefix: String? = nil, localName: String, value: String) {
        self.prefix = prefix
        self.localName = localName
        self.value = value
    }

    public var qualifiedName: String { prefix.map { "\($0):\(localName)" } ?? localName }
}

/// Bounds on what `XMLReader` accepts. The defaults are far above any real device description or SOAP
/// answer, and far below what could hurt the agent.
public struct XMLLimits: Sendable, Hashable {
    public var maximumInputBytes: Int
    /// Elements nested inside each other, the root counting as 1.
    public var maximumDepth: Int
    public var maximumElements: Int
    /// Per element.
    public var maximumAttributes: Int
    /// Element and attribute names, in bytes.
    public var maximumNameLength: Int
    /// The character data of one element, or one attribute value, in bytes after decoding.
    public var maximumTextLength: Int

    public init(
        maximumInputBytes: Int = 256 * 1024, maximumDepth: Int = 64, maximumElements: Int = 8192,
        maximumAttributes: Int = 32, maximumNameLength: Int = 256, maximumTextLength: Int = 64 * 1024
    ) {
        self.maximumInputBytes = maximumInputBytes
        self.maximumDepth = maximumDepth
        self.maximumElements = maximumElements
        self.maximumAttributes = maximumAttributes
        self.maximumNameLength = maximumNameLength
        self.maximumTextLength = maximumTextLength
    }

    public static let `default` = XMLLimits()
}

/// Why a document was refused, and at which byte.
public struct XMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case tooLarge(limit: Int)
        case notUTF8
        /// A byte that XML 1.0 does not allow in a document (NUL and other C0 controls but tab and line ends).
        case invalidCharacter(UInt8)
        /// Any `<!DOCTYPE`: no document a gateway sends needs one, and refusing it rules out external
        /// entities and entity-expansion bombs altogether.
        case doctypeRefused
        /// A reference to an entity other than the five predefined ones.
        case undeclaredEntity(String)
        case invalidCharacterReference(String)
        case tooDeep(limit: Int)
        case tooManyElements(limit: Int)
        case tooManyAttributes(limit: Int)
        case nameTooLong(limit: Int)
        case textTooLong(limit: Int)
        case duplicateAttribute(String)
        case mismatchedEndTag(expected: String, found: String)
        /// The input ended inside markup or with elements still open.
        case unexpectedEnd(String)
        case noRootElement
        /// Elements or text after the root element has ended.
        case contentAfterRoot
        case syntax(String)
    }

    public var kind: Kind
    /// Byte offset in the input where the problem was seen.
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String {
        let what =
            switch kind {
            case .tooLarge(let limit): "document larger than \(limit) bytes"
            case .notUTF8: "document is not UTF-8"
            case .invalidCharacter(let byte): "character 0x\(String(byte, radix: 16)) is not allowed in XML"
            case .doctypeRefused: "DOCTYPE declarations are refused"
            case .undeclaredEntity(let name): "undeclared entity &\(name);"
            case .invalidCharacterReference(let text): "invalid character reference &\(text);"
            case .tooDeep(let limit): "elements nested deeper than \(limit)"
            case .tooManyElements(let limit): "more than \(limit) elements"
            case .tooManyAttributes(let limit): "more than \(limit) attributes on one element"
            case .nameTooLong(let limit): "name longer than \(limit) bytes"
            case .textTooLong(let limit): "text longer than \(limit) bytes"
            case .duplicateAttribute(let name): "attribute \(name) given twice"
            case .mismatchedEndTag(let expected, let found): "</\(found)> closes <\(expected)>"
            case .unexpectedEnd(let inside): "document ends inside \(inside)"
            case .noRootElement: "no root element"
            case .contentAfterRoot: "content after the root element"
            case .syntax(let reason): reason
            }
        return "XML: \(what) (at byte \(offset))"
    }
}

/// A defensive, non-validating XML 1.0 reader for the documents gateways send.
///
/// Gateways are untrusted network peers (anything on the LAN can answer a search), so the reader refuses
/// rather than guesses: any DOCTYPE, undeclared entities, malformed markup, and anything beyond `XMLLimits`
/// are errors. It never recurses on input structure, and every loop advances through the input, so the
/// time is linear in the input size.
public enum XMLReader {
    /// The root element of `bytes`.
    public static func parse(_ bytes: [UInt8], limits: XMLLimits = .default) throws(XMLError) -> XMLElement {
        // The reader walks raw memory: array subscripts cost several times as much in debug builds, where
        // the fuzz tests run.
        try bytes.withUnsafeBufferPointer { (buffer) throws(XMLError) -> XMLElement in
            var parser = XMLParser(bytes: buffer, limits: limits)
            return try parser.parseDocument()
        }
    }
}

private enum Byte {
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let ampersand = UInt8(ascii: "&")
    static let semicolon = UInt8(ascii: ";")
    static let slash = UInt8(ascii: "/")
    static let question = UInt8(ascii: "?")
    static let exclamation = UInt8(ascii: "!")
    static let equals = UInt8(ascii: "=")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let colon = UInt8(ascii: ":")
    static let hash = UInt8(ascii: "#")
    static let x = UInt8(ascii: "x")
}

private struct XMLParser {
    /// An element whose end tag has not been read yet.
    struct OpenElement {
        var element: XMLElement
        var qualifiedName: String
        /// Namespace bindings in scope: prefix to URI, "" for the default namespace.
        var namespaces: [String: String]
        var text: [UInt8]
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let limits: XMLLimits
    var index = 0
    var elementCount = 0
    var open: [OpenElement] = []
    var root: XMLElement?

    init(bytes: UnsafeBufferPointer<UInt8>, limits: XMLLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    func error(_ kind: XMLError.Kind) -> XMLError { XMLError(kind, at: index) }

    mutating func parseDocument() throws(XMLError) -> XMLElement {
        guard bytes.count <= limits.maximumInputBytes else {
            throw XMLError(.tooLarge(limit: limits.maximumInputBytes), at: limits.maximumInputBytes)
        }
        // Plain index loops on the hot paths: generic sequence helpers are not specialised in debug builds.
        var offset = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte < 0x20, byte != ASCII.tab, byte != ASCII.lineFeed, byte != ASCII.carriageReturn {
                throw XMLError(.invalidCharacter(byte), at: offset)
            }
            offset += 1
        }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw XMLError(.notUTF8, at: 0) }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }

        while index < bytes.count {
            switch bytes[index] {
            case Byte.lessThan:
                try readMarkup()
            case Byte.ampersand:
                guard !open.isEmpty else { throw error(root == nil ? .noRootElement : .contentAfterRoot) }
                let decoded = try readReference()
                try appendText(decoded)
            default:
                try readCharacterData()
            }
        }
        if let innermost = open.last {
            throw error(.unexpectedEnd("<\(innermost.qualifiedName)>"))
        }
        guard let root else { throw error(.noRootElement) }
        return root
    }

    // MARK: Markup

    mutating func readMarkup() throws(XMLError) {
        guard index + 1 < bytes.count else { throw error(.unexpectedEnd("markup")) }
        switch bytes[index + 1] {
        case Byte.question:
            try skip(past: Array("?>".utf8), from: index + 2, inside: "a processing instruction")
        case Byte.exclamation:
            if matches("<!--") {
                try skip(past: Array("-->".utf8), from: index + 4, inside: "a comment")
            } else if matches("<![CDATA[") {
                guard !open.isEmpty else { throw error(.syntax("CDATA section outside the root element")) }
                let start = index + 9
                let end = try find(Array("]]>".utf8), from: start, inside: "a CDATA section")
                try appendText(from: start, to: end)
                index = end + 3
            } else if matches("<!DOCTYPE") {
                throw error(.doctypeRefused)
            } else {
                throw error(.syntax("unknown markup declaration"))
            }
        case Byte.slash:
            try readEndTag()
        default:
            try readStartTag()
        }
    }

    func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { literalBytes in
            var offset = 0
            while offset < count {
                if bytes[index + offset] != literalBytes[offset] { return false }
                offset += 1
            }
            return true
        }
    }

    /// The offset where `pattern` starts, at or after `start`.
    func find(_ pattern: [UInt8], from start: Int, inside: String) throws(XMLError) -> Int {
        var candidate = start
        while candidate + pattern.count <= bytes.count {
            var offset = 0
            while offset < pattern.count, bytes[candidate + offset] == pattern[offset] { offset += 1 }
            if offset == pattern.count { return candidate }
            candidate += 1
        }
        throw error(.unexpectedEnd(inside))
    }

    mutating func skip(past pattern: [UInt8], from start: Int, inside: String) throws(XMLError) {
        index = try find(pattern, from: start, inside: inside) + pattern.count
    }

    mutating func readStartTag() throws(XMLError) {
        guard !open.isEmpty || root == nil else { throw error(.contentAfterRoot) }
        let tagStart = index
        index += 1
        let name = try readName()
        var attributes: [XMLAttribute] = []
        var selfClosing = false
        while true {
            let hadWhitespace = skipWhitespace()
            guard index < bytes.count else {
                throw XMLError(.unexpectedEnd("the tag <\(name.qualified)"), at: tagStart)
            }
            if bytes[index] == Byte.greaterThan {
                index += 1
                break
            }
            if bytes[index] == Byte.slash {
                guard index + 1 < bytes.count else {
                    throw XMLError(.unexpectedEnd("the tag <\(name.qualified)"), at: tagStart)
                }
                guard bytes[index + 1] == Byte.greaterThan else { throw error(.syntax("expected '>' after '/'")) }
                index += 2
                selfClosing = true
                break
            }
            guard hadWhitespace else { throw error(.syntax("expected whitespace before an attribute")) }
            let attribute = try readAttribute()
            guard !attributes.contains(where: { $0.qualifiedName == attribute.qualifiedName }) else {
                throw error(.duplicateAttribute(attribute.qualifiedName))
            }
            guard attributes.count < limits.maximumAttributes else {
                throw error(.tooManyAttributes(limit: limits.maximumAttributes))
            }
            attributes.append(attribute)
        }

        elementCount += 1
        guard elementCount <= limits.maximumElements else {
            throw XMLError(.tooManyElements(limit: limits.maximumElements), at: tagStart)
        }
        guard open.count < limits.maximumDepth else {
            throw XMLError(.tooDeep(limit: limits.maximumDepth), at: tagStart)
        }

        var namespaces = open.last?.namespaces ?? [:]
        for attribute in attributes {
            if attribute.prefix == nil, attribute.localName == "xmlns" {
                namespaces[""] = attribute.value
            } else if attribute.prefix == "xmlns" {
                namespaces[attribute.localName] = attribute.value
            }
        }
        let element = XMLElement(
            prefix: name.prefix, localName: name.local, namespaceURI: namespaces[name.prefix ?? ""],
            attributes: attributes)
        if selfClosing {
            complete(element)
        } else {
            open.append(OpenElement(element: element, qualifiedName: name.qualified, namespaces: namespaces, text: []))
        }
    }

    mutating func readEndTag() throws(XMLError) {
        let tagStart = index
        index += 2
        let name = try readName()
        _ = skipWhitespace()
        guard index < bytes.count else {
            throw XMLError(.unexpectedEnd("the end tag </\(name.qualified)"), at: tagStart)
        }
        guard bytes[index] == Byte.greaterThan else { throw error(.syntax("expected '>' in an end tag")) }
        index += 1
        guard let innermost = open.popLast() else {
            throw XMLError(
                root == nil
                    ? .syntax("end tag </\(name.qualified)> without a start tag") : .contentAfterRoot,
                at: tagStart)
        }
        guard innermost.qualifiedName == name.qualified else {
            throw XMLError(.mismatchedEndTag(expected: innermost.qualifiedName, found: name.qualified), at: tagStart)
        }
        var element = innermost.element
        element.text = String(decoding: innermost.text, as: UTF8.self)
        complete(element)
    }

    mutating func complete(_ element: XMLElement) {
        if open.isEmpty {
            root = element
        } else {
            open[open.count - 1].element.children.append(element)
        }
    }

    struct Name {
        var prefix: String?
        var local: String
        var qualified: String
    }

    mutating func readName() throws(XMLError) -> Name {
        let start = index
        guard index < bytes.count, Self.isNameStart(bytes[index]) else {
            throw error(index < bytes.count ? .syntax("expected a name") : .unexpectedEnd("a name"))
        }
        var colon: Int?
        while index < bytes.count, Self.isNameCharacter(bytes[index]) {
            if bytes[index] == Byte.colon {
                guard colon == nil else { throw error(.syntax("a name with two colons")) }
                colon = index
            }
            index += 1
            guard index - start <= limits.maximumNameLength else {
                throw XMLError(.nameTooLong(limit: limits.maximumNameLength), at: start)
            }
        }
        let qualified = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let colon else { return Name(prefix: nil, local: qualified, qualified: qualified) }
        guard colon > start, colon < index - 1 else {
            throw XMLError(.syntax("a name starting or ending with a colon"), at: start)
        }
        return Name(
            prefix: String(decoding: bytes[start..<colon], as: UTF8.self),
            local: String(decoding: bytes[(colon + 1)..<index], as: UTF8.self), qualified: qualified)
    }

    mutating func readAttribute() throws(XMLError) -> XMLAttribute {
        let name = try readName()
        _ = skipWhitespace()
        guard index < bytes.count else { throw error(.unexpectedEnd("an attribute")) }
        guard bytes[index] == Byte.equals else {
            throw error(.syntax("expected '=' after attribute \(name.qualified)"))
        }
        index += 1
        _ = skipWhitespace()
        guard index < bytes.count else { throw error(.unexpectedEnd("an attribute")) }
        let quote = bytes[index]
        guard quote == Byte.doubleQuote || quote == Byte.singleQuote else {
            throw error(.syntax("attribute \(name.qualified) without quotes"))
        }
        index += 1
        var value: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error(.unexpectedEnd("an attribute value")) }
            let byte = bytes[index]
            if byte == quote {
                index += 1
                break
            }
            switch byte {
            case Byte.lessThan:
                throw error(.syntax("'<' in an attribute value"))
            case Byte.ampersand:
                value.append(contentsOf: try readReference())
            case ASCII.carriageReturn:
                // Attribute-value normalisation (XML 1.0, 3.3.3): a line end, CR LF included, is one space.
                value.append(ASCII.space)
                index += 1
                if index < bytes.count, bytes[index] == ASCII.lineFeed { index += 1 }
            case ASCII.tab, ASCII.lineFeed:
                value.append(ASCII.space)
                index += 1
            default:
                value.append(byte)
                index += 1
            }
            guard value.count <= limits.maximumTextLength else {
                throw error(.textTooLong(limit: limits.maximumTextLength))
            }
        }
        return XMLAttribute(prefix: name.prefix, localName: name.local, value: String(decoding: value, as: UTF8.self))
    }

    @discardableResult
    mutating func skipWhitespace() -> Bool {
        let start = index
        while index < bytes.count, ASCII.isWhitespace(bytes[index]) { index += 1 }
        return index > start
    }

    // MARK: Character data

    mutating func readCharacterData() throws(XMLError) {
        let start = index
        while index < bytes.count, bytes[index] != Byte.lessThan, bytes[index] != Byte.ampersand { index += 1 }
        guard !open.isEmpty else {
            var offset = start
            while offset < index {
                guard ASCII.isWhitespace(bytes[offset]) else {
                    throw XMLError(root == nil ? .syntax("text before the root element") : .contentAfterRoot, at: start)
                }
                offset += 1
            }
            return
        }
        try appendText(from: start, to: index)
    }

    /// Appends the input's bytes `start..<end` to the innermost element's text, reading CR LF and lone CR
    /// as LF (XML 1.0, 2.11).
    mutating func appendText(from start: Int, to end: Int) throws(XMLError) {
        guard let last = open.indices.last else { return }
        guard open[last].text.count + (end - start) <= limits.maximumTextLength else {
            throw error(.textTooLong(limit: limits.maximumTextLength))
        }
        var offset = start
        while offset < end {
            let byte = bytes[offset]
            if byte == ASCII.carriageReturn {
                open[last].text.append(ASCII.lineFeed)
                if offset + 1 < end, bytes[offset + 1] == ASCII.lineFeed { offset += 1 }
            } else {
                open[last].text.append(byte)
            }
            offset += 1
        }
    }

    mutating func appendText(_ text: [UInt8]) throws(XMLError) {
        guard let last = open.indices.last else { return }
        guard open[last].text.count + text.count <= limits.maximumTextLength else {
            throw error(.textTooLong(limit: limits.maximumTextLength))
        }
        open[last].text.append(contentsOf: text)
    }

    /// Decodes `&name;` or `&#N;` / `&#xH;` at `index` (which is at the `&`) into UTF-8.
    mutating func readReference() throws(XMLError) -> [UInt8] {
        let start = index
        index += 1
        // Longest legal reference: "&#x" plus a hex number, or "&quot;"; 16 covers leading zeros in reason.
        var end = index
        while end < bytes.count, end - index <= 16, bytes[end] != Byte.semicolon { end += 1 }
        guard end < bytes.count, bytes[end] == Byte.semicolon, end > index else {
            throw XMLError(.syntax("'&' that does not start a reference"), at: start)
        }
        let body = bytes[index..<end]
        let bodyText = String(decoding: body, as: UTF8.self)
        index = end + 1
        guard body.first == Byte.hash else {
            switch bodyText {
            case "lt": return [Byte.lessThan]
            case "gt": return [Byte.greaterThan]
            case "amp": return [Byte.ampersand]
            case "apos": return [Byte.singleQuote]
            case "quot": return [Byte.doubleQuote]
            default: throw XMLError(.undeclaredEntity(bodyText), at: start)
            }
        }
        var digits = body.dropFirst()
        let radix: UInt32
        if digits.first == Byte.x {
            radix = 16
            digits = digits.dropFirst()
        } else {
            radix = 10
        }
        guard !digits.isEmpty else { throw XMLError(.invalidCharacterReference(bodyText), at: start) }
        var value: UInt32 = 0
        for digit in digits {
            guard let digitValue = ASCII.hexValue(digit), digitValue < radix else {
                throw XMLError(.invalidCharacterReference(bodyText), at: start)
            }
            value = value * radix + digitValue
            guard value <= 0x10FFFF else { throw XMLError(.invalidCharacterReference(bodyText), at: start) }
        }
        guard Self.isXMLCharacter(value), let scalar = Unicode.Scalar(value) else {
            throw XMLError(.invalidCharacterReference(bodyText), at: start)
        }
        return Array(String(Character(scalar)).utf8)
    }

    // MARK: Character classes

    /// XML 1.0 `Char`: what a character reference may produce.
    static func isXMLCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// ASCII per XML 1.0 `NameStartChar`; any non-ASCII byte is accepted, since gateways do not use
    /// non-ASCII names and the document is already known to be valid UTF-8.
    static func isNameStart(_ byte: UInt8) -> Bool {
        ASCII.isLetter(byte) || byte == UInt8(ascii: "_") || byte == Byte.colon || byte >= 0x80
    }

    static func isNameCharacter(_ byte: UInt8) -> Bool {
        isNameStart(byte) || ASCII.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }
}
