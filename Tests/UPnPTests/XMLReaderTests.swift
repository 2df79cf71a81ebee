import Testing
import UPnP

@Suite("XML reader")
struct XMLReaderTests {
    func parse(_ text: String, limits: XMLLimits = .default) throws(XMLError) -> XMLElement {
        try XMLReader.parse(Array(text.utf8), limits: limits)
    }

    func kind(of text: String, limits: XMLLimits = .default) -> XMLError.Kind? {
        do {
            _ = try parse(text, limits: limits)
            return nil
        } catch {
            return error.kind
        }
    }

    // MARK: Accepted

    @Test func readsElementsAttributesAndText() throws {
        let root = try parse("<?xml version=\"1.0\"?>\n<a x=\"1\" y='two'><b>hello</b><c/><b>again</b></a>\n")
        #expect(root.localName == "a")
        #expect(root.attribute("x") == "1")
        #expect(root.attribute("y") == "two")
        #expect(root.children.map(\.localName) == ["b", "c", "b"])
        #expect(root.child("b")?.text == "hello")
        #expect(root.children.filter { $0.localName == "b" }.count == 2)
    }

    @Test func resolvesNamespacesByPrefixAndDefault() throws {
        let root = try parse(
            "<s:Envelope xmlns:s=\"urn:soap\" xmlns=\"urn:default\"><s:Body><u:Act xmlns:u=\"urn:svc\"><Arg/></u:Act></s:Body></s:Envelope>"
        )
        #expect(root.prefix == "s")
        #expect(root.localName == "Envelope")
        #expect(root.qualifiedName == "s:Envelope")
        #expect(root.namespaceURI == "urn:soap")
        let action = try #require(root.child("Body")?.child("Act"))
        #expect(action.namespaceURI == "urn:svc")
        #expect(action.child("Arg")?.namespaceURI == "urn:default")
    }

    @Test func undeclaredPrefixHasNoNamespace() throws {
        let root = try parse("<x:a/>")
        #expect(root.prefix == "x")
        #expect(root.namespaceURI == nil)
    }

    @Test func decodesPredefinedEntitiesAndCharacterReferences() throws {
        let root = try parse("<a t=\"&quot;&apos;&#65;\">&lt;&gt;&amp;&#x42;&#67;&#x1F600;</a>")
        #expect(root.text == "<>&BC\u{1F600}")
        #expect(root.attribute("t") == "\"'A")
    }

    @Test func readsCDATAVerbatim() throws {
        let root = try parse("<a>x<![CDATA[<b>&amp;</b>]]>y</a>")
        #expect(root.text == "x<b>&amp;</b>y")
        #expect(root.children.isEmpty)
    }

    @Test func skipsCommentsAndProcessingInstructions() throws {
        let root = try parse("<!-- before --><?pi x?><a><!-- <b/> -->t<?php echo ?>u</a><!-- after -->")
        #expect(root.children.isEmpty)
        #expect(root.text == "tu")
    }

    @Test func normalisesLineEnds() throws {
        let root = try parse("<a v=\"1\r\n2\t3\">x\r\ny\rz</a>")
        #expect(root.text == "x\ny\nz")
        #expect(root.attribute("v") == "1 2 3")
    }

    @Test func acceptsAByteOrderMark() throws {
        let root = try XMLReader.parse([0xEF, 0xBB, 0xBF] + Array("<a/>".utf8))
        #expect(root.localName == "a")
    }

    @Test func findsDescendantsInDocumentOrder() throws {
        let root = try parse("<r><s n=\"1\"><s n=\"2\"/></s><l><s n=\"3\"/></l></r>")
        #expect(root.descendants("s").map { $0.attribute("n") } == ["1", "2", "3"])
    }

    @Test func acceptsNonASCIIText() throws {
        #expect(try parse("<a>Fritz!Box 7590 – Gerät</a>").text == "Fritz!Box 7590 – Gerät")
    }

    // MARK: Refused

    @Test func refusesDoctype() {
        #expect(
            kind(of: "<?xml version=\"1.0\"?><!DOCTYPE root SYSTEM \"http://198.51.100.1/x.dtd\"><root/>")
                == .doctypeRefused)
    }

    @Test func refusesAnEntityExpansionBomb() {
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <lolz>&lol2;</lolz>
            """
        #expect(kind(of: bomb) == .doctypeRefused)
    }

    @Test func refusesAnExternalEntity() {
        #expect(kind(of: "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>") == .doctypeRefused)
    }

    @Test func refusesUndeclaredEntities() {
        #expect(kind(of: "<a>&nbsp;</a>") == .undeclaredEntity("nbsp"))
        #expect(kind(of: "<a b=\"&x;\"/>") == .undeclaredEntity("x"))
    }

    @Test func refusesABareAmpersand() {
        #expect(kind(of: "<a>fish & chips</a>") == .syntax("'&' that does not start a reference"))
    }

    @Test func refusesBadCharacterReferences() {
        #expect(kind(of: "<a>&#0;</a>") == .invalidCharacterReference("#0"))
        #expect(kind(of: "<a>&#xD800;</a>") == .invalidCharacterReference("#xD800"))
        #expect(kind(of: "<a>&#x110000;</a>") == .invalidCharacterReference("#x110000"))
        #expect(kind(of: "<a>&#12a;</a>") == .invalidCharacterReference("#12a"))
        #expect(kind(of: "<a>&#x;</a>") == .invalidCharacterReference("#x"))
        #expect(kind(of: "<a>&#99999999999999;</a>") == .invalidCharacterReference("#99999999999999"))
    }

    @Test func refusesNestingDeeperThanTheLimit() {
        let deep = String(repeating: "<a>", count: 65) + String(repeating: "</a>", count: 65)
        #expect(kind(of: deep) == .tooDeep(limit: 64))
        let ok = String(repeating: "<a>", count: 64) + String(repeating: "</a>", count: 64)
        #expect(kind(of: ok) == nil)
    }

    @Test func refusesAMillionOpenTagsQuickly() {
        let deep = String(repeating: "<a>", count: 80_000)
        #expect(kind(of: deep) == .tooDeep(limit: 64))
    }

    @Test func refusesInputLargerThanTheLimit() {
        let big = "<a>" + String(repeating: "x", count: 256 * 1024) + "</a>"
        #expect(kind(of: big) == .tooLarge(limit: 256 * 1024))
    }

    @Test func refusesTooManyElements() {
        let many = "<a>" + String(repeating: "<b/>", count: 20) + "</a>"
        #expect(kind(of: many, limits: XMLLimits(maximumElements: 10)) == .tooManyElements(limit: 10))
    }

    @Test func refusesTooManyAttributes() {
        let attributes = (0..<40).map { "a\($0)=\"\($0)\"" }.joined(separator: " ")
        #expect(kind(of: "<e \(attributes)/>") == .tooManyAttributes(limit: 32))
    }

    @Test func refusesLongNames() {
        #expect(kind(of: "<\(String(repeating: "n", count: 300))/>") == .nameTooLong(limit: 256))
    }

    @Test func refusesLongText() {
        let limits = XMLLimits(maximumTextLength: 16)
        #expect(kind(of: "<a>\(String(repeating: "t", count: 17))</a>", limits: limits) == .textTooLong(limit: 16))
        #expect(kind(of: "<a v=\"\(String(repeating: "t", count: 17))\"/>", limits: limits) == .textTooLong(limit: 16))
        #expect(kind(of: "<a>\(String(repeating: "&amp;", count: 17))</a>", limits: limits) == .textTooLong(limit: 16))
    }

    @Test func refusesUnclosedElements() {
        #expect(kind(of: "<a><b></b>") == .unexpectedEnd("<a>"))
    }

    @Test func refusesMismatchedTags() {
        #expect(kind(of: "<a><b></a></b>") == .mismatchedEndTag(expected: "b", found: "a"))
        #expect(kind(of: "<s:a></t:a>") == .mismatchedEndTag(expected: "s:a", found: "t:a"))
    }

    @Test func refusesAttributesWithoutQuotes() {
        #expect(kind(of: "<a b=1/>") == .syntax("attribute b without quotes"))
    }

    @Test func refusesDuplicateAttributes() {
        #expect(kind(of: "<a b=\"1\" b=\"2\"/>") == .duplicateAttribute("b"))
    }

    @Test func refusesAttributesRunTogether() {
        #expect(kind(of: "<a b=\"1\"c=\"2\"/>") == .syntax("expected whitespace before an attribute"))
    }

    @Test func refusesLessThanInAttributeValues() {
        #expect(kind(of: "<a b=\"<\"/>") == .syntax("'<' in an attribute value"))
    }

    @Test func refusesTwoRootElements() {
        #expect(kind(of: "<a/><b/>") == .contentAfterRoot)
        #expect(kind(of: "<a/>text") == .contentAfterRoot)
    }

    @Test func refusesTextBeforeTheRoot() {
        #expect(kind(of: "hello<a/>") == .syntax("text before the root element"))
    }

    @Test func refusesAnEmptyDocument() {
        #expect(kind(of: "") == .noRootElement)
        #expect(kind(of: "  <!-- only a comment -->\n") == .noRootElement)
    }

    @Test func refusesUnterminatedMarkup() {
        #expect(kind(of: "<a><!-- never ends</a>") == .unexpectedEnd("a comment"))
        #expect(kind(of: "<a><![CDATA[ never ends</a>") == .unexpectedEnd("a CDATA section"))
        #expect(kind(of: "<?xml version=\"1.0\"") == .unexpectedEnd("a processing instruction"))
        #expect(kind(of: "<a b=\"1") == .unexpectedEnd("an attribute value"))
        #expect(kind(of: "<a") == .unexpectedEnd("the tag <a"))
        #expect(kind(of: "<") == .unexpectedEnd("markup"))
    }

    @Test func refusesControlCharacters() {
        #expect(kind(of: "<a>\u{0}</a>") == .invalidCharacter(0))
        #expect(kind(of: "<a>\u{1B}[31m</a>") == .invalidCharacter(0x1B))
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: XMLError(.notUTF8, at: 0)) {
            try XMLReader.parse(Array("<a>".utf8) + [0xC3, 0x28] + Array("</a>".utf8))
        }
    }

    @Test func refusesBadNames() {
        #expect(kind(of: "<1a/>") == .syntax("expected a name"))
        #expect(kind(of: "<a:b:c/>") == .syntax("a name with two colons"))
        #expect(kind(of: "<a:/>") == .syntax("a name starting or ending with a colon"))
        #expect(kind(of: "< a/>") == .syntax("expected a name"))
    }

    @Test func refusesAnEndTagWithoutStart() {
        #expect(kind(of: "</a>") == .syntax("end tag </a> without a start tag"))
    }

    @Test func refusesUnknownDeclarations() {
        #expect(kind(of: "<a><!ENTITY x \"y\"></a>") == .syntax("unknown markup declaration"))
    }

    @Test func errorsSayWhereAndWhat() {
        #expect(throws: XMLError(.mismatchedEndTag(expected: "b", found: "a"), at: 6)) { try parse("<a><b></a>") }
        #expect(XMLError(.doctypeRefused, at: 21).description == "XML: DOCTYPE declarations are refused (at byte 21)")
    }
}
