package dev.kiln.spec.config;

import java.util.List;
import java.util.Set;

/**
 * What a config says about its substitutions besides their default values.
 *
 * @param dynamic        {@code options.dynamicSubstitutions}: values may name other substitutions and use
 *                       bash-style operations ({@code ${_V:0:7}})
 * @param withoutDefault keys written with no value ({@code _TAG:}): the trigger or the submit must give them
 * @param referenced     every name referenced anywhere in the config, in any field, also those Kiln does not
 *                       act on ({@code artifacts}, {@code availableSecrets}, {@code logsBucket}...) and the
 *                       values of other substitutions: what counts as used for {@code MUST_MATCH}
 */
public record SubstitutionInfo(boolean dynamic, List<String> withoutDefault, Set<String> referenced) {
    public static final SubstitutionInfo NONE = new SubstitutionInfo(false, List.of(), Set.of());

    public SubstitutionInfo {
        withoutDefault = List.copyOf(withoutDefault);
        referenced = Set.copyOf(referenced);
    }
}
