@main
struct KubeVip {
    static func main() {}
}
