// Server modules import "server-only", which throws outside a React server bundle; tests are server code.
import { vi } from "vitest";

vi.mock("server-only", () => ({}));
