/// Bytes from hex text; whitespace and newlines are ignored so fixtures can wrap.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.compactMap(\.hexDigitValue).map(UInt8.init)
    precondition(digits.count % 2 == 0, "odd number of hex digits in fixture")
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}
