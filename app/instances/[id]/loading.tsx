import { DetailSkeleton } from "@/components/states/skeletons.tsx";

export default function Loading() {
  return <DetailSkeleton />;
}
