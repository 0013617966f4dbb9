import { FleetDoctorError } from "@/lib/errors.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Any /api path no route serves: the JSON 404 the README promises, whatever the method (Next.js's is a page). */
const notFound = handle((request: Request) => {
  throw new FleetDoctorError("NOT_FOUND", `No API route at ${new URL(request.url).pathname.slice(0, 200)}.`);
});

export {
  notFound as DELETE,
  notFound as GET,
  notFound as HEAD,
  notFound as OPTIONS,
  notFound as PATCH,
  notFound as POST,
  notFound as PUT,
};
