/** The process's security settings: no_new_privs (ctr's --allow-new-privs) and its AppArmor profile. */
import type { SpecOpt } from "./types.ts";

export function withNewPrivileges(allow: boolean): SpecOpt {
  return (spec) => {
    spec.process!.noNewPrivileges = !allow;
  };
}

export function withApparmorProfile(profile: string): SpecOpt {
  return (spec) => {
    spec.process!.apparmorProfile = profile;
  };
}
