import {
  Activity,
  Bell,
  Boxes,
  BrainCircuit,
  Calculator,
  ClipboardList,
  Database,
  Gauge,
  KeyRound,
  Layers,
  type LucideIcon,
  Network,
  RefreshCw,
  Rows3,
  Settings,
  Sheet,
  Workflow,
} from "lucide-react";
import type { Role } from "@/server/auth/roles";

export interface NavItem {
  /** Path below /p/[project]. */
  segment: string;
  label: string;
  icon: LucideIcon;
  /** Shown only to callers with at least this role in the project (the page checks again). */
  minRole?: Role;
}

export const NAV_GROUPS: { label: string; items: NavItem[] }[] = [
  {
    label: "Catalog",
    items: [
      { segment: "features", label: "Features", icon: Rows3 },
      { segment: "views", label: "Feature views", icon: Layers },
      { segment: "transformations", label: "Transformations", icon: Workflow },
      { segment: "on-demand", label: "On-demand views", icon: Calculator },
      { segment: "streams", label: "Stream views", icon: Activity },
      { segment: "entities", label: "Entities", icon: KeyRound },
      { segment: "sources", label: "Sources", icon: Database },
      { segment: "services", label: "Services", icon: Boxes },
      { segment: "consumers", label: "Consumers", icon: BrainCircuit },
      { segment: "datasets", label: "Datasets", icon: Sheet },
      { segment: "lineage", label: "Lineage", icon: Network },
    ],
  },
  {
    label: "Operations",
    items: [
      { segment: "jobs", label: "Jobs", icon: RefreshCw },
      { segment: "freshness", label: "Freshness", icon: Gauge },
      { segment: "alerts", label: "Alerts", icon: Bell },
    ],
  },
  {
    label: "Project",
    items: [
      { segment: "audit", label: "Audit log", icon: ClipboardList, minRole: "owner" },
      { segment: "settings", label: "Settings", icon: Settings, minRole: "owner" },
    ],
  },
];
