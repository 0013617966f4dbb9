import { NotFoundState } from "@/components/states/not-found-state.tsx";

export default function NotFound() {
  return (
    <NotFoundState
      title="Page not found"
      message="There is no page at this address."
      backHref="/"
      backText="Go to the fleet overview"
    />
  );
}
