// SPDX-License-Identifier: Apache-2.0
package dev.packettrace.api.rbac;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One RBAC rule that the annotated class needs, written next to the code that needs it. The ClusterRoles
 * under operator/rbac/ are checked against these annotations by a test, so a rule nobody needs, or a
 * need without a rule, fails the build.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(RequiresRbac.List.class)
public @interface RequiresRbac {

    /** Which service account needs the rule. */
    Subject subject();

    /** API group: "" for the core group. */
    String apiGroup();

    /** Resource, e.g. "pods" or "packettraces/status". */
    String resource();

    String[] verbs();

    /** Why: what the code does with it. */
    String why();

    /** Where the rule applies: in every namespace (ClusterRole) or only the operator's own namespace (Role). */
    Scope scope() default Scope.CLUSTER;

    enum Subject {
        OPERATOR,
        AGENT
    }

    enum Scope {
        CLUSTER,
        OWN_NAMESPACE
    }

    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        RequiresRbac[] value();
    }
}
