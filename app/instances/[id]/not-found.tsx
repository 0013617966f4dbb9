import { NotFoundState } from "@/components/states/not-found-state.tsx";

export default function InstanceNotFound() {
  return (
    <NotFoundState
      title="Instance not found"
      message="Fleet Doctor has no result for this instance: it has not been scanned, or the id is not an instance id."
      backHref="/instances"
      backText="Back to instances"
    />
  );
}
