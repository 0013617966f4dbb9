import Alert from "@cloudscape-design/components/alert";
import { LOCAL_MODE_BANNER } from "@/lib/auth/roles.ts";

/**
 * Shown on every page when FLEET_DOCTOR_AUTH=none: nobody signs in and everyone may restart agents. The layout (a
 * server component) reads the configuration and says whether it applies; this component reads none itself.
 */
export function LocalModeBanner({ localMode }: { localMode: boolean }) {
  if (!localMode) return null;
  return (
    <div data-testid="local-mode-banner">
      <Alert type="warning">
        {LOCAL_MODE_BANNER} Serve it behind an ALB with FLEET_DOCTOR_AUTH=alb for anyone else.
      </Alert>
    </div>
  );
}
