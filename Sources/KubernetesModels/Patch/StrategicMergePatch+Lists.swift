/// List merging: by merge key, as sets, or by replacement, and the ordering rules that go with it.
extension StrategicMergePatch {
    static func mergeList(
        _ live: [JSONValue], _ patch: [JSONValue], schema: StrategicMergeSchema
    ) throws(PatchError) -> [JSONValue] {
        switch schema.listStrategy {
        case .replace:
            return try materializeList(patch, schema: schema)
        case .mergeAsSet:
            return try mergeSet(live, patch)
        case .mergeByKey(let key):
            return try mergeByKey(live, patch, key: key, schema: schema)
        }
    }

    /// A patch list with no live list under it: list-level directive items dropped, the rest materialized.
    static func materializeList(_ items: [JSONValue], schema: StrategicMergeSchema) throws(PatchError) -> [JSONValue] {
        var result: [JSONValue] = []
        for item in items {
            if case .object(let members) = item, let marker = members[PatchDirective.marker] {
                try checkListMarker(marker, in: members)
                continue
            }
            if let value = try materialize(item, schema: schema) {
                result.append(value)
            }
        }
        return result
    }

    private static func mergeSet(_ live: [JSONValue], _ patch: [JSONValue]) throws(PatchError) -> [JSONValue] {
        for item in live + patch {
            switch item {
            case .object, .array:
                throw PatchError("a list of primitives cannot hold \(PatchDirective.describe(item))")
            default:
                break
            }
        }
        var seen: Set<JSONValue> = []
        var merged: [JSONValue] = []
        for item in live + patch where seen.insert(item.numericallyNormalized).inserted {
            merged.append(item)
        }
        return interleave(
            merged, patchOrder: patch.map(\.numericallyNormalized), liveOrder: live.map(\.numericallyNormalized)
        ) {
            $0.numericallyNormalized
        }
    }

    private static func mergeByKey(
        _ live: [JSONValue], _ patch: [JSONValue], key: String, schema: StrategicMergeSchema
    ) throws(PatchError) -> [JSONValue] {
        var items = live
        var replaceAll = false
        var additions: [[String: JSONValue]] = []
        for item in patch {
            guard case .object(let members) = item else {
                throw PatchError("expected a map in a list merged by \"\(key)\", got \(PatchDirective.describe(item))")
            }
            guard let marker = members[PatchDirective.marker] else {
                additions.append(members)
                continue
            }
            try checkListMarker(marker, in: members)
            if marker.stringValue == PatchDirective.delete {
                let doomed = try mergeKeyValue(of: members, key: key)
                items.removeAll { $0[key]?.numericallyNormalized == doomed }
            } else {
                replaceAll = true
            }
        }

        if replaceAll {
            var replacement: [JSONValue] = []
            for members in additions {
                if let merged = try mergeObject([:], members, schema: schema) { replacement.append(.object(merged)) }
            }
            return replacement
        }

        var patchOrder: [JSONValue] = []
        for members in additions {
            let value = try mergeKeyValue(of: members, key: key)
            patchOrder.append(value)
            if let index = items.firstIndex(where: { $0[key]?.numericallyNormalized == value }),
                case .object(let existing) = items[index]
            {
                items[index] = .object(try mergeObject(existing, members, schema: schema) ?? existing)
            } else {
                items.append(.object(try mergeObject([:], members, schema: schema) ?? [:]))
            }
        }
        return interleave(
            items, patchOrder: patchOrder, liveOrder: live.map { $0[key]?.numericallyNormalized ?? .null }
        ) {
            $0[key]?.numericallyNormalized
        }
    }

    /// A list field that comes with `$setElementOrder/<field>`: merged, then put in the requested order.
    /// `nil` when neither the live object nor the patch has the list.
    static func mergeOrderedList(
        field: String, order: [JSONValue], live: JSONValue?, patch: JSONValue?, schema: StrategicMergeSchema
    ) throws(PatchError) -> [JSONValue]? {
        let liveList = try listValue(live, field: field)
        let patchList = try listValue(patch, field: field)
        let identity = orderIdentity(schema)
        var orderKeys: [JSONValue] = []
        for entry in order {
            guard let value = identity(entry) else {
                throw PatchError("invalid patch format of setElementOrder list: \(PatchDirective.describe(entry))")
            }
            orderKeys.append(value)
        }
        if let patchList {
            try checkOrderConsistency(patchList, orderKeys: orderKeys, identity: identity)
        }

        let merged: [JSONValue]
        switch (liveList, patchList) {
        case (nil, nil): return nil
        case (let live?, nil): merged = live
        case (nil, let patch?): merged = try mergeList([], patch, schema: schema)
        case (let live?, let patch?): merged = try mergeList(live, patch, schema: schema)
        }
        if case .replace = schema.listStrategy { return merged }
        return interleave(merged, patchOrder: orderKeys, liveOrder: (liveList ?? []).map { identity($0) ?? .null }) {
            identity($0)
        }
    }

    private static func listValue(_ value: JSONValue?, field: String) throws(PatchError) -> [JSONValue]? {
        switch value {
        case nil: return nil
        case .array(let items)?: return items
        case let other?:
            throw PatchError("expected a list for \"\(field)\", got \(PatchDirective.describe(other))")
        }
    }

    private static func orderIdentity(_ schema: StrategicMergeSchema) -> (JSONValue) -> JSONValue? {
        switch schema.listStrategy {
        case .mergeByKey(let key): return { $0[key]?.numericallyNormalized }
        case .mergeAsSet, .replace: return { $0.numericallyNormalized }
        }
    }

    /// The patch's own items must appear in `$setElementOrder` in the same relative order (apimachinery checks
    /// this too; a mismatch means the client computed the patch from something else).
    private static func checkOrderConsistency(
        _ patchList: [JSONValue], orderKeys: [JSONValue], identity: (JSONValue) -> JSONValue?
    ) throws(PatchError) {
        var position = 0
        for item in patchList {
            if case .object(let members) = item, members[PatchDirective.marker] != nil { continue }
            guard let value = identity(item) else { continue }
            while position < orderKeys.count, orderKeys[position] != value { position += 1 }
            guard position < orderKeys.count else {
                throw PatchError(
                    "the order in the patch list \(PatchDirective.describe(.array(patchList))) doesn't match "
                        + "the $setElementOrder list \(PatchDirective.describe(.array(orderKeys)))")
            }
            position += 1
        }
    }

    private static func checkListMarker(_ marker: JSONValue, in members: [String: JSONValue]) throws(PatchError) {
        switch marker.stringValue {
        case PatchDirective.delete?, PatchDirective.replace?:
            return
        case PatchDirective.merge?:
            throw PatchError("merging lists cannot yet be specified in the patch")
        default:
            throw PatchError(
                "unknown patch type: \(PatchDirective.describe(marker)) in map: "
                    + PatchDirective.describe(.object(members)))
        }
    }

    private static func mergeKeyValue(of members: [String: JSONValue], key: String) throws(PatchError) -> JSONValue {
        guard let value = members[key] else {
            throw PatchError(
                "map: \(PatchDirective.describe(.object(members))) does not contain declared merge key: \(key)")
        }
        return value.numericallyNormalized
    }

    /// Orders a merged list the way apimachinery does: the items named by the patch (or by
    /// `$setElementOrder`) in the patch's order, and the live-only items slotted in where they stood, in front
    /// of the first patch item that came after them in the live list. New items therefore lead.
    static func interleave(
        _ merged: [JSONValue], patchOrder: [JSONValue], liveOrder: [JSONValue], identity: (JSONValue) -> JSONValue?
    ) -> [JSONValue] {
        let patchRank = firstIndices(patchOrder)
        let liveRank = firstIndices(liveOrder)
        var fromPatch: [(rank: Int, item: JSONValue)] = []
        var liveOnly: [JSONValue] = []
        for item in merged {
            if let id = identity(item), let rank = patchRank[id] {
                fromPatch.append((rank, item))
            } else {
                liveOnly.append(item)
            }
        }
        let right = fromPatch.enumerated().sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }
            .map(\.element.item)
        let left = liveOnly

        var result: [JSONValue] = []
        result.reserveCapacity(merged.count)
        var leftIndex = 0
        var rightIndex = 0
        while leftIndex < left.count || rightIndex < right.count {
            if rightIndex == right.count {
                result.append(left[leftIndex])
                leftIndex += 1
            } else if leftIndex == left.count {
                result.append(right[rightIndex])
                rightIndex += 1
            } else if let leftRank = identity(left[leftIndex]).flatMap({ liveRank[$0] }),
                let rightRank = identity(right[rightIndex]).flatMap({ liveRank[$0] }), leftRank < rightRank
            {
                result.append(left[leftIndex])
                leftIndex += 1
            } else {
                result.append(right[rightIndex])
                rightIndex += 1
            }
        }
        return result
    }

    private static func firstIndices(_ values: [JSONValue]) -> [JSONValue: Int] {
        var indices: [JSONValue: Int] = [:]
        for (index, value) in values.enumerated() where indices[value] == nil {
            indices[value] = index
        }
        return indices
    }
}
