// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.output;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * String fields written at the start of every JSON line of one event, before the event's own fields: who the
 * event belongs to when one stream carries several traces (the node agent tags each line with its trace, pod
 * and node). Immutable; build once per trace and target, reuse for every event.
 */
public final class EventTags {

    /** No tags: the line holds the event's fields only, as the local CLI writes it. */
    public static final EventTags NONE = new EventTags(List.of(), List.of());

    /** The fields {@link JsonLinesWriter} writes itself; a tag may not shadow them. */
    static final Set<String> EVENT_FIELDS = Set.of(
            "time",
            "skb",
            "cpu",
            "pid",
            "comm",
            "netns",
            "ifindex",
            "ifname",
            "mark",
            "len",
            "proto",
            "tuple",
            "probe",
            "dropReason",
            "location",
            "stack",
            "summary");

    private static final Pattern NAME = Pattern.compile("[a-z][A-Za-z0-9]{0,31}");

    private final List<SerializableString> names;
    private final List<String> values;

    private EventTags(List<SerializableString> names, List<String> values) {
        this.names = names;
        this.values = values;
    }

    /** Starts a set of tags; the fields are written in the order they are added. */
    public static Builder builder() {
        return new Builder();
    }

    int size() {
        return names.size();
    }

    SerializableString name(int i) {
        return names.get(i);
    }

    String value(int i) {
        return values.get(i);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < names.size(); i++) {
            b.append(i == 0 ? "" : ", ")
                    .append(names.get(i).getValue())
                    .append('=')
                    .append(values.get(i));
        }
        return b.append('}').toString();
    }

    public static final class Builder {
        private final List<SerializableString> names = new ArrayList<>();
        private final List<String> values = new ArrayList<>();

        private Builder() {}

        /**
         * @param name  a camelCase JSON field name that is not one of the event's own fields
         * @param value any string (JSON-escaped on output)
         */
        public Builder add(String name, String value) {
            Objects.requireNonNull(value, () -> "value of tag '" + name + "'");
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "tag name '" + name + "' must be camelCase letters and digits, 1-32 characters");
            }
            if (EVENT_FIELDS.contains(name)) {
                throw new IllegalArgumentException("tag name '" + name + "' is a field of the event itself");
            }
            if (names.stream().anyMatch(n -> n.getValue().equals(name))) {
                throw new IllegalArgumentException("tag name '" + name + "' is given twice");
            }
            names.add(new SerializedString(name));
            values.add(value);
            return this;
        }

        public EventTags build() {
            return new EventTags(List.copyOf(names), List.copyOf(values));
        }
    }
}
