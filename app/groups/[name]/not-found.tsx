import { NotFoundState } from "@/components/states/not-found-state.tsx";

export default function GroupNotFound() {
  return (
    <NotFoundState
      title="Group not found"
      message="This fleet has no Auto Scaling group of that name, or the name is not a valid group name."
      backHref="/groups"
      backText="Back to groups"
    />
  );
}
