/** Rules on `mounts` (config.md "Mounts", "Linux mount options"). */
import { IDMAP_MOUNT_OPTIONS } from "../constants.ts";
import { quote } from "../describe.ts";
import type { Mount } from "../schema.ts";
import { rule } from "./engine.ts";
import { findNamespace, isAbsolute } from "./util.ts";

export const mountRules = [
  // Relative destinations are deprecated; runt takes the subset of valid values the spec lets it choose.
  rule<string>({
    name: "mount-destination-absolute",
    scope: "mounts[*].destination",
    check(destination, report) {
      if (!isAbsolute(destination)) report("must be an absolute path");
    },
  }),

  rule<Mount>({
    name: "mount-id-mappings-paired",
    scope: "mounts[*]",
    check(mount, report) {
      if (mount.uidMappings && !mount.gidMappings) report("required when uidMappings is set", "gidMappings");
      if (mount.gidMappings && !mount.uidMappings) report("required when gidMappings is set", "uidMappings");
    },
  }),

  rule<Mount>({
    name: "mount-idmap-needs-mapping",
    scope: "mounts[*]",
    needs: ["linux.namespaces"],
    check(mount, report, { spec }) {
      if (mount.uidMappings || mount.gidMappings || findNamespace(spec, "user")) return;
      (mount.options ?? []).forEach((option, i) => {
        if ((IDMAP_MOUNT_OPTIONS as readonly string[]).includes(option)) {
          report(`${quote(option)} needs uidMappings and gidMappings, or a user namespace`, "options", i);
        }
      });
    },
  }),
];
