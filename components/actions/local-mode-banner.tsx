import Alert from "@cloudscape-design/components/alert";
import { connection } from "next/server";
import { LOCAL_MODE_BANNER } from "@/lib/auth/roles.ts";
import { config } from "@/lib/config.ts";

/** Shown on every page when FLEET_DOCTOR_AUTH=none: nobody signs in and everyone may restart agents. */
export async function LocalModeBanner() {
  // Read at request time, not at build time (and it renders every page per request, so each gets its CSP nonce).
  await connection();
  if (config().auth !== "none") return null;
  return (
    <div data-testid="local-mode-banner">
      <Alert type="warning">
        {LOCAL_MODE_BANNER} Serve it behind an ALB with FLEET_DOCTOR_AUTH=alb for anyone else.
      </Alert>
    </div>
  );
}
